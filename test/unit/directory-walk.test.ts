// Creating a directory always ends: the pure walk (src/core/directory-walk.ts) against a scripted
// filesystem, then its drivers (src/files/ensure-directory.ts) against the real one, /proc included,
// where Node's own recursive mkdir never returns.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { directoryWalk, type DirectoryWalkEnd, type MkdirResult } from '../../src/core/directory-walk.js';
import { DirectoryCreationError, ensureDirectory, ensureDirectorySync } from '../../src/files/ensure-directory.js';

/** Runs the walk against `fs` (path -> what mkdir of it does); returns the end and every mkdir asked for. */
function walk(target: string, fs: (path: string, tried: string[]) => MkdirResult): { end: DirectoryWalkEnd; tried: string[] } {
  const tried: string[] = [];
  const steps = directoryWalk(target, posix.dirname);
  let step = steps.next();
  while (!step.done) {
    tried.push(step.value);
    assert.ok(tried.length <= 100, `the walk did not end: ${tried.slice(-6).join(', ')}`);
    step = steps.next(fs(step.value, tried));
  }
  return { end: step.value, tried };
}

const created: MkdirResult = { kind: 'created' };
const isDir: MkdirResult = { kind: 'exists', isDirectory: true };
const enoent: MkdirResult = { kind: 'failed', code: 'ENOENT', message: 'no such file or directory' };

/** A plain filesystem holding `dirs`: mkdir succeeds when the parent exists. */
function plainFs(dirs: string[]): (path: string) => MkdirResult {
  const existing = new Set(dirs);
  return (path) => {
    if (existing.has(path)) return isDir;
    if (!existing.has(posix.dirname(path))) return enoent;
    existing.add(path);
    return created;
  };
}

describe('directoryWalk (pure)', () => {
  it('an existing directory: one mkdir, nothing created', () => {
    const { end, tried } = walk('/var/lib', plainFs(['/', '/var', '/var/lib']));
    assert.deepEqual(end, { ok: true, created: [] });
    assert.deepEqual(tried, ['/var/lib']);
  });

  it('creates the missing parents top down, each once', () => {
    const { end, tried } = walk('/a/b/c', plainFs(['/', '/a']));
    assert.deepEqual(end, { ok: true, created: ['/a/b', '/a/b/c'] });
    assert.deepEqual(tried, ['/a/b/c', '/a/b', '/a/b/c']);
  });

  it('/proc: ENOENT although the parent exists ends after two tries of the child', () => {
    // procfs: every unknown name below /proc/1 is ENOENT, /proc/1 itself exists.
    const { end, tried } = walk('/proc/1/x/reports', (path) => (path === '/proc/1' || path === '/proc' || path === '/' ? isDir : enoent));
    assert.deepEqual(tried, ['/proc/1/x/reports', '/proc/1/x', '/proc/1', '/proc/1/x']);
    assert.equal(end.ok, false);
    if (end.ok) return;
    assert.equal(end.code, 'ENOENT');
    assert.equal(end.path, '/proc/1/x');
    assert.match(end.reason, /^\/proc\/1\/x cannot be created although \/proc\/1 exists \(.*\/proc/);
  });

  it('ENOENT all the way up ends at the root', () => {
    const { end, tried } = walk('/a/b', () => enoent);
    assert.deepEqual(tried, ['/a/b', '/a', '/']);
    assert.deepEqual(end, { ok: false, path: '/', code: 'ENOENT', reason: '/ does not exist' });
  });

  it('a file in the way, and any other errno, end the walk at once', () => {
    const file = walk('/a/f/x', (path) => (path === '/a/f' ? { kind: 'exists', isDirectory: false } : path === '/a/f/x' ? enoent : isDir));
    assert.deepEqual(file.end, { ok: false, path: '/a/f', code: 'ENOTDIR', reason: '/a/f exists and is not a directory' });
    const denied = walk('/ro/x/y', (path) => (path === '/ro/x' ? { kind: 'failed', code: 'EACCES', message: 'permission denied' } : path === '/ro' ? isDir : enoent));
    assert.deepEqual(denied.end, { ok: false, path: '/ro/x', code: 'EACCES', reason: '/ro/x: permission denied' });
    assert.deepEqual(denied.tried, ['/ro/x/y', '/ro/x']);
  });

  it('never asks for more than two mkdirs per path component, whatever the filesystem answers', () => {
    const answers: MkdirResult[] = [created, isDir, enoent, { kind: 'exists', isDirectory: false }, { kind: 'failed', code: 'EIO', message: 'x' }];
    let seed = 7;
    for (let run = 0; run < 500; run++) {
      const { tried } = walk('/a/b/c/d/e', () => answers[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % answers.length]!);
      assert.ok(tried.length <= 2 * 6, `${tried.length} mkdirs: ${tried.join(', ')}`);
    }
  });
});

describe('ensureDirectory (real filesystem)', () => {
  for (const [name, ensure] of [
    ['async', (path: string) => ensureDirectory(path)],
    ['sync', async (path: string) => ensureDirectorySync(path)],
  ] as const) {
    describe(name, () => {
      it('creates missing parents and accepts an existing directory', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'vctp-ensure-dir-'));
        const target = join(dir, 'a', 'b', 'c');
        await ensure(target);
        assert.ok(statSync(target).isDirectory());
        await ensure(target);
        await ensure(dir);
      });

      it('fails at once under /proc, saying why', { skip: existsSync('/proc/1') ? false : 'needs Linux /proc' }, async () => {
        const error = await Promise.resolve()
          .then(() => ensure('/proc/1/nonexistent/reports'))
          .catch((e: unknown) => e);
        assert.ok(error instanceof DirectoryCreationError, String(error));
        assert.equal(error.code, 'ENOENT');
        assert.equal(error.path, '/proc/1/nonexistent');
        assert.match(error.message, /^\/proc\/1\/nonexistent cannot be created although \/proc\/1 exists/);
      });

      it('a file or a dangling symbolic link in the way is ENOTDIR, naming it', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'vctp-ensure-dir-'));
        writeFileSync(join(dir, 'file'), '');
        symlinkSync(join(dir, 'missing'), join(dir, 'dangling'));
        const file = await Promise.resolve()
          .then(() => ensure(join(dir, 'file', 'x', 'y')))
          .catch((e: unknown) => e);
        assert.ok(file instanceof DirectoryCreationError);
        assert.equal(file.code, 'ENOTDIR');
        const dangling = await Promise.resolve()
          .then(() => ensure(join(dir, 'dangling', 'x')))
          .catch((e: unknown) => e);
        assert.ok(dangling instanceof DirectoryCreationError, String(dangling));
        assert.match(dangling.message, /dangling exists and is not a directory \(a symbolic link to a missing target\)/);
        assert.equal(existsSync(join(dir, 'missing')), false);
      });

      it('a relative path is resolved against the working directory', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'vctp-ensure-dir-'));
        const cwd = process.cwd();
        process.chdir(dir);
        try {
          await ensure(join('rel', 'x'));
        } finally {
          process.chdir(cwd);
        }
        assert.ok(statSync(join(dir, 'rel', 'x')).isDirectory());
        assert.equal(dirname(join(dir, 'rel', 'x')), join(dir, 'rel'));
      });
    });
  }
});
