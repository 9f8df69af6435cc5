// Creating a directory and its missing parents, as a walk that always ends: the decisions of
// `mkdir -p` without the I/O, so that every caller (src/files for reports and metrics, the SQLite
// store for its database's directory) runs the same bounded walk with its own mkdir.
//
// Why not `mkdir(path, { recursive: true })`: Node's recursive mkdir (libuv's MKDirp, sync and
// async alike, Node 20 to 24) reads ENOENT as "the parent is missing", creates the parent, gets
// EEXIST, and tries the child again, forever. Under /proc (`/proc/1/x/reports`) mkdir of a name
// that the kernel's lookup does not know returns ENOENT although the parent exists, so that loop
// spins at 100% CPU and never returns (the synchronous one blocks every signal handler too). This
// walk asks for a child at most twice: once, and once more after its parent was confirmed; an
// ENOENT after that is final. It makes at most 2 mkdir calls per path component.

/** What one non-recursive mkdir of one path did (the driver stats the path on EEXIST). */
export type MkdirResult =
  | { kind: 'created' }
  | { kind: 'exists'; isDirectory: boolean; detail?: string }
  | { kind: 'failed'; code: string; message: string };

export type DirectoryWalkEnd =
  | { ok: true; created: string[] }
  | {
      ok: false;
      /** The path whose mkdir failed (the target or one of its parents). */
      path: string;
      /** errno-style code: ENOENT, ENOTDIR, EACCES, EROFS, ... */
      code: string;
      /** Why, for a message after the target's name: `/proc/1/x cannot be created although /proc/1 exists (...)`. */
      reason: string;
    };

/**
 * Yields each path to mkdir (non-recursively), receives what happened, and returns how the walk
 * ended. `parentOf` is the platform's dirname; `target` should be absolute (a relative one stops at
 * its first component). Never yields more than twice per component of `target`.
 */
export function* directoryWalk(target: string, parentOf: (path: string) => string): Generator<string, DirectoryWalkEnd, MkdirResult> {
  const pending = [target];
  const created: string[] = [];
  /** The path last confirmed to be a directory: the parent of the path tried next, once it is popped. */
  let confirmed: string | null = null;
  while (pending.length > 0) {
    const path = pending[pending.length - 1]!;
    const result = yield path;
    if (result.kind === 'created' || (result.kind === 'exists' && result.isDirectory)) {
      if (result.kind === 'created') created.push(path);
      pending.pop();
      confirmed = path;
      continue;
    }
    if (result.kind === 'exists') {
      const what = result.detail ? ` (${result.detail})` : '';
      return { ok: false, path, code: 'ENOTDIR', reason: `${path} exists and is not a directory${what}` };
    }
    if (result.code === 'ENOENT') {
      const parent = parentOf(path);
      if (parent === path) return { ok: false, path, code: 'ENOENT', reason: `${path} does not exist` };
      if (confirmed === parent) {
        return {
          ok: false,
          path,
          code: 'ENOENT',
          reason:
            `${path} cannot be created although ${parent} exists ` +
            '(a filesystem that takes no new directories there, such as /proc or /sys)',
        };
      }
      pending.push(parent);
      continue;
    }
    return { ok: false, path, code: result.code, reason: `${path}: ${result.message}` };
  }
  return { ok: true, created };
}
