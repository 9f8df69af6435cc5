// packaging/scripts/jwt-key.mjs, the post-install step that gives /etc/dtms/vctp.yml an
// auth_jwt_signing_key when it has none: on temporary files, run by this Node (the package runs it
// with its own). It edits one line or nothing, keeps owner, mode and a symlink, and leaves a file
// it cannot edit safely exactly as it was.
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { ROOT } from './build-packages.js';
import { runCommand } from './overlay-host.js';

const SCRIPT = join(ROOT, 'packaging/scripts/jwt-key.mjs');
const dir = mkdtempSync(join(tmpdir(), 'vctp-jwt-key-'));
let count = 0;

function file(text: string, mode = 0o640): string {
  const path = join(dir, `vctp-${(count += 1)}.yml`);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

async function jwtKey(path: string): Promise<string> {
  const r = await runCommand(process.execPath, [SCRIPT, path]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

function keyOf(path: string): unknown {
  return (parse(readFileSync(path, 'utf8')) as { settings: Record<string, unknown> }).settings.auth_jwt_signing_key;
}

describe('packaging/scripts/jwt-key.mjs', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fills in the example\'s commented-out key, changing that line only, keeping the mode', async () => {
    const example = readFileSync(join(ROOT, 'vctp.yml.example'), 'utf8');
    const path = file(example);
    assert.match(await jwtKey(path), /generated auth_jwt_signing_key/);
    const key = keyOf(path);
    assert.equal(typeof key, 'string');
    assert.equal(Buffer.from(key as string, 'base64').length, 48);
    const before = example.split('\n');
    const afterLines = readFileSync(path, 'utf8').split('\n');
    assert.equal(afterLines.length, before.length);
    const changed = afterLines.flatMap((line, i) => (line === before[i] ? [] : [line]));
    assert.deepEqual(changed, [`  auth_jwt_signing_key: "${key as string}"`]);
    assert.equal(statSync(path).mode & 0o777, 0o640);
  });

  it('fills in an empty value, and adds a line under settings: when there is none', async () => {
    const empty = file('settings:\n  log_level: info\n  auth_jwt_signing_key: ""\n  bind_port: 9443\n');
    await jwtKey(empty);
    assert.equal(Buffer.from(keyOf(empty) as string, 'base64').length, 48);
    const none = file('# mine\nsettings:\n    log_level: debug\n');
    await jwtKey(none);
    const text = readFileSync(none, 'utf8');
    assert.match(text, /^# mine\nsettings:\n {4}auth_jwt_signing_key: "[A-Za-z0-9+/=]{64}"\n {4}log_level: debug\n$/);
  });

  it('leaves a key that is there, a file it cannot parse and a file without settings: untouched', async () => {
    for (const text of ['settings:\n  auth_jwt_signing_key: "a2V5a2V5a2V5"\n', 'settings: [unclosed\n', 'other: 1\n']) {
      const path = file(text);
      await jwtKey(path);
      assert.equal(readFileSync(path, 'utf8'), text);
    }
  });

  it('edits the file a symlink points to, and keeps the link', async () => {
    const target = file('settings:\n  log_level: info\n');
    const link = join(dir, 'linked.yml');
    symlinkSync(target, link);
    await jwtKey(link);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(typeof keyOf(target), 'string');
  });
});
