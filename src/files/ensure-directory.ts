// Creates a directory and its missing parents, and always returns: the bounded walk of
// src/core/directory-walk.ts run with non-recursive mkdir. Use it instead of
// `mkdir(path, { recursive: true })`, which spins forever under /proc (see directory-walk.ts).
//
// A failure is an Error with an errno-style `code` (ENOENT, ENOTDIR, EACCES, ...) and `path` (the
// component that could not be created), whose message says why; callers name the setting.
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { directoryWalk, type DirectoryWalkEnd, type MkdirResult } from '../core/directory-walk.js';

export class DirectoryCreationError extends Error {
  readonly code: string;
  readonly path: string;

  constructor(end: Extract<DirectoryWalkEnd, { ok: false }>) {
    super(end.reason);
    this.name = 'DirectoryCreationError';
    this.code = end.code;
    this.path = end.path;
  }
}

/** Creates `path` and its missing parents (mode 0777 less the umask); a directory already there is fine. */
export async function ensureDirectory(path: string): Promise<void> {
  const walk = directoryWalk(resolve(path), dirname);
  let step = walk.next();
  while (!step.done) step = walk.next(await tryMkdir(step.value));
  if (!step.value.ok) throw new DirectoryCreationError(step.value);
}

/** ensureDirectory for synchronous callers (a store opened in a constructor). */
export function ensureDirectorySync(path: string): void {
  const walk = directoryWalk(resolve(path), dirname);
  let step = walk.next();
  while (!step.done) step = walk.next(tryMkdirSync(step.value));
  if (!step.value.ok) throw new DirectoryCreationError(step.value);
}

async function tryMkdir(path: string): Promise<MkdirResult> {
  try {
    await mkdir(path);
    return { kind: 'created' };
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') return failed(error);
    try {
      return { kind: 'exists', isDirectory: (await stat(path)).isDirectory() };
    } catch (statError) {
      return existingButUnreadable(statError);
    }
  }
}

function tryMkdirSync(path: string): MkdirResult {
  try {
    mkdirSync(path);
    return { kind: 'created' };
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') return failed(error);
    try {
      return { kind: 'exists', isDirectory: statSync(path).isDirectory() };
    } catch (statError) {
      return existingButUnreadable(statError);
    }
  }
}

function errnoOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'EIO';
}

/** Node's `EACCES: permission denied, mkdir '/x'` as `permission denied` (the walk names the path). */
function failed(error: unknown): MkdirResult {
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'failed', code: errnoOf(error), message: message.replace(/^[A-Z]+: /, '').replace(/, mkdir '.*'$/, '') };
}

// EEXIST, then stat fails: a symbolic link to nowhere (ENOENT) or one that loops (ELOOP).
function existingButUnreadable(error: unknown): MkdirResult {
  const code = errnoOf(error);
  const detail = code === 'ENOENT' ? 'a symbolic link to a missing target' : code === 'ELOOP' ? 'a symbolic link loop' : `stat failed: ${code}`;
  return { kind: 'exists', isDirectory: false, detail };
}
