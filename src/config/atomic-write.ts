// Replace a file so that readers see the old content or the new, never a mix: write a temp file in
// the same directory, fsync it, rename it over the original, fsync the directory. The new file
// keeps the original's mode and owner; if the owner cannot be kept, nothing is replaced.
import { randomBytes } from 'node:crypto';
import { open, realpath, rename as fsRename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Seam for tests that need a rename to fail. */
  rename?: (from: string, to: string) => Promise<void>;
}

export async function writeFileAtomic(path: string, data: string, options: AtomicWriteOptions = {}): Promise<void> {
  // Replace the file a symlink points to, not the symlink (packagers link /etc/dtms/vctp.yml).
  const target = await realpath(path);
  const original = await stat(target);
  const mode = original.mode & 0o7777;
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.chmod(mode); // open()'s mode went through the umask
      if (original.uid !== process.getuid?.() || original.gid !== process.getgid?.()) {
        await handle.chown(original.uid, original.gid);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await (options.rename ?? fsRename)(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
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
