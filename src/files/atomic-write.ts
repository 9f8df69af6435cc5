// The one way vctp replaces a file: readers see the old content or the new, never a mix, and a crash
// leaves one of the two. A temp file is created beside the target (same directory, so the rename
// stays on one filesystem), filled, fsynced, renamed over the target, and the directory is fsynced
// so that the rename itself survives a power cut. On any failure the temp file is removed and the
// target is left as it was.
//
// - An existing target keeps its mode and owner (a symlink is followed: the file it points to is
//   replaced, not the link). A new target gets `mode` (0644 unless said), set explicitly so that a
//   strict umask cannot hide it from its readers (node_exporter reads metrics textfiles as itself).
// - The directory must exist: nothing is created here.
// - Temp files are named `.<name>.<pid>.<random>.tmp`: hidden, and never `*.prom` or `*.xlsx`, so no
//   reader of the directory picks up a half-written one.
//
// A leaf module: it imports nothing of ours.
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, open, realpath, rename as fsRename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Mode of a file that does not exist yet (default 0o644); an existing file keeps its own. */
  mode?: number;
  /**
   * Whether the existing file's owner must be kept: 'required' (the default) replaces nothing when
   * it cannot be (a settings file must stay readable by its group); 'best-effort' replaces it
   * anyway, owned by whoever writes (reports, metrics textfiles).
   */
  keepOwner?: 'required' | 'best-effort';
  /** Seam for tests that need a rename to fail. */
  rename?: (from: string, to: string) => Promise<void>;
}

/** A temp file beside the target, created and empty; fill it through `tempPath`, then commit or discard. */
export interface AtomicReplacement {
  /** The file that `commit` renames over the target. */
  target: string;
  tempPath: string;
  /** fsync the temp file, give it the target's mode (and owner), rename it over the target, fsync the directory. */
  commit(): Promise<void>;
  /** Removes the temp file; the target stays as it was. Never throws. */
  discard(): Promise<void>;
}

/**
 * Creates the temp file now, so that a directory that is missing or not writable fails before any
 * work; the caller writes the temp file by path (a streaming writer opens it itself).
 */
export async function beginAtomicReplace(path: string, options: AtomicWriteOptions = {}): Promise<AtomicReplacement> {
  const target = await resolveTarget(path);
  const existing = await statIfExists(target);
  const mode = existing ? existing.mode & 0o7777 : (options.mode ?? 0o644);
  const dir = dirname(target);
  const tempPath = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await (await open(tempPath, 'wx', mode)).close();

  const discard = async (): Promise<void> => {
    await rm(tempPath, { force: true }).catch(() => undefined);
  };
  const commit = async (): Promise<void> => {
    try {
      const handle = await open(tempPath, 'r+');
      try {
        await handle.chmod(mode); // open()'s mode went through the umask
        if (existing && (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.())) {
          await handle.chown(existing.uid, existing.gid).catch((error: unknown) => {
            if (options.keepOwner !== 'best-effort') throw error;
          });
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await (options.rename ?? fsRename)(tempPath, target);
    } catch (error) {
      await discard();
      throw error;
    }
    await syncDirectory(dir);
  };
  return { target, tempPath, commit, discard };
}

/** Runs `write(tempPath)` and commits the result over `path`; on any failure, `path` is untouched. */
export async function replaceFileAtomic(path: string, write: (tempPath: string) => Promise<void>, options: AtomicWriteOptions = {}): Promise<void> {
  const replacement = await beginAtomicReplace(path, options);
  try {
    await write(replacement.tempPath);
  } catch (error) {
    await replacement.discard();
    throw error;
  }
  await replacement.commit();
}

/** Replaces (or creates) `path` with `data`. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await replaceFileAtomic(path, (tempPath) => writeFile(tempPath, data), options);
}

// Replace the file a symlink points to, not the symlink (packagers link /etc/dtms/vctp.yml). A
// path that does not exist is a new file; a dangling symlink is an error, not a link to replace.
async function resolveTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const link = await lstat(path).catch(() => undefined);
    if (link?.isSymbolicLink()) throw error;
    // The directory must exist; resolve its own links so the temp file lands beside the target.
    return join(await realpath(dirname(path)), basename(path));
  }
}

async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// Makes the rename itself durable. Some filesystems refuse fsync on a directory; the rename has
// still happened, so that is not a failure.
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
