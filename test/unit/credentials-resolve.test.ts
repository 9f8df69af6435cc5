import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { isVctpError } from '../../src/core/errors.js';
import { createLogger } from '../../src/log/logger.js';
import {
  activeKey,
  decryptSecret,
  encryptSecret,
  parseSettings,
  resolveVcenterPassword,
  type HostIdentitySource,
  type LoadedSettings,
} from '../../src/config/index.js';

const HOST: HostIdentitySource = { readFile: (p) => (p === '/etc/machine-id' ? 'c0ffee00c0ffee00c0ffee00c0ffee00' : undefined), hostname: () => 'collector-1' };
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function captureLog() {
  const lines: { level: number; msg: string; reason?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: createLogger({ output: 'json', destination, level: 'debug' }), lines };
}

function settingsText(password: string, extra = ''): string {
  return [
    '# vctp settings: keep this comment',
    'settings:',
    '  log_level: info   # trailing comment',
    '',
    '  # the account used for snapshots',
    '  vcenter_username: svc@vsphere.local',
    `  vcenter_password: ${password}   # set by ops`,
    '  vcenter_addresses:',
    '    - https://vc01.example.com/sdk',
    extra,
  ].join('\n');
}

async function settingsFile(text: string, mode = 0o640): Promise<{ dir: string; path: string; loaded: LoadedSettings }> {
  const dir = await mkdtemp(join(tmpdir(), 'vctp-cred-'));
  dirs.push(dir);
  const path = join(dir, 'vctp.yml');
  await writeFile(path, text, { mode });
  await chmod(path, mode);
  return { dir, path, loaded: parseSettings(text, path) };
}

function passwordLine(text: string): string {
  return text.split('\n').find((line) => line.includes('vcenter_password'))!;
}

function otherLines(text: string): string[] {
  return text.split('\n').filter((line) => !line.includes('vcenter_password'));
}

describe('resolveVcenterPassword', () => {
  it('encrypts a plaintext value in place, leaving every other byte as it was', async () => {
    const original = settingsText('hunter22');
    const { dir, path, loaded } = await settingsFile(original);
    const { log, lines } = captureLog();

    assert.equal(await resolveVcenterPassword(loaded, log, { host: HOST }), 'hunter22');

    const rewritten = await readFile(path, 'utf8');
    assert.deepEqual(otherLines(rewritten), otherLines(original));
    assert.match(passwordLine(rewritten), /^ {2}vcenter_password: enc:v1:[A-Za-z0-9+/=]+ {3}# set by ops$/);
    const stored = parseSettings(rewritten, path).settings.vcenter_password!;
    assert.equal(decryptSecret(stored, [activeKey(null, HOST)]), 'hunter22');
    assert.equal((await stat(path)).mode & 0o777, 0o640);
    assert.deepEqual(await readdir(dir), ['vctp.yml']);
    assert.ok(!rewritten.includes('hunter22'));
    assert.ok(lines.some((l) => l.msg.includes('plaintext value encrypted in place')));
    assert.ok(lines.every((l) => !JSON.stringify(l).includes('hunter22')));

    // Next start: the enc:v1 value decrypts and the file is left alone.
    const again = parseSettings(rewritten, path);
    assert.equal(await resolveVcenterPassword(again, captureLog().log, { host: HOST }), 'hunter22');
    assert.equal(await readFile(path, 'utf8'), rewritten);
  });

  it('migrates legacy ciphertext made with a fallback key to enc:v1 under the active key', async () => {
    const hostKey = activeKey(null, HOST);
    const legacy = encryptSecret('legacy-secret', hostKey).slice('enc:v1:'.length);
    const { path, loaded } = await settingsFile(settingsText(legacy, '  encryption_key: shared-key-for-all-collectors\n'));

    assert.equal(await resolveVcenterPassword(loaded, captureLog().log, { host: HOST }), 'legacy-secret');

    const stored = parseSettings(await readFile(path, 'utf8'), path).settings.vcenter_password!;
    assert.ok(stored.startsWith('enc:v1:'));
    assert.equal(decryptSecret(stored, [activeKey({ encryption_key: 'shared-key-for-all-collectors' })]), 'legacy-secret');
  });

  it('rejects plaintext of 2 characters or fewer and leaves the file alone', async () => {
    for (const [short, value] of [['ab', 'ab'], ['"é"', 'é']] as const) {
      const original = settingsText(short);
      // The loader refuses it (test/unit/config-validation.test.ts); settings built in code are checked here.
      assert.throws(() => parseSettings(original, '/x/vctp.yml'), /settings\.vcenter_password: is too short/);
      const { path, loaded: valid } = await settingsFile(settingsText('abc'));
      await writeFile(path, original);
      const loaded: LoadedSettings = { ...valid, settings: { ...valid.settings, vcenter_password: value } };
      await assert.rejects(resolveVcenterPassword(loaded, captureLog().log, { host: HOST }), (error: unknown) => {
        assert.ok(isVctpError(error));
        assert.equal(error.code, 'credentials');
        assert.equal(error.message, 'settings.vcenter_password: plaintext values of 2 characters or fewer are rejected');
        return true;
      });
      assert.equal(await readFile(path, 'utf8'), original);
    }
  });

  it('keeps the original intact and leaves no temp file when the rename fails', async () => {
    const original = settingsText('hunter22');
    const { dir, path, loaded } = await settingsFile(original);
    const { log, lines } = captureLog();
    let renames = 0;
    const rename = async () => {
      renames++;
      throw Object.assign(new Error('simulated crash before rename'), { code: 'EIO' });
    };

    assert.equal(await resolveVcenterPassword(loaded, log, { host: HOST, rename }), 'hunter22');

    assert.equal(renames, 1);
    assert.equal(await readFile(path, 'utf8'), original);
    assert.deepEqual(await readdir(dir), ['vctp.yml']);
    const warning = lines.find((l) => l.level === 40);
    assert.ok(warning?.msg.includes('left as is'));
    assert.match(warning?.reason ?? '', /EIO/);
  });

  it('continues with a warning when the settings file is read-only', async () => {
    const original = settingsText('hunter22');
    const { path, loaded } = await settingsFile(original, 0o444);
    const { log, lines } = captureLog();

    assert.equal(await resolveVcenterPassword(loaded, log, { host: HOST }), 'hunter22');

    assert.equal(await readFile(path, 'utf8'), original);
    assert.ok(lines.some((l) => l.level === 40 && l.reason === 'the settings file is read-only'));
  });

  it('does not overwrite a value that changed in the file since it was loaded', async () => {
    const { path, loaded } = await settingsFile(settingsText('hunter22'));
    const edited = settingsText('a-newer-password');
    await writeFile(path, edited);
    const { log, lines } = captureLog();

    assert.equal(await resolveVcenterPassword(loaded, log, { host: HOST }), 'hunter22');
    assert.equal(await readFile(path, 'utf8'), edited);
    assert.ok(lines.some((l) => l.level === 40 && /changed in the file/.test(l.reason ?? '')));
  });

  it('rewrites the target of a symlinked settings file and keeps the link', async () => {
    const { dir, path, loaded } = await settingsFile(settingsText('hunter22'));
    const link = join(dir, 'link.yml');
    await symlink(path, link);
    await resolveVcenterPassword({ ...loaded, path: link }, captureLog().log, { host: HOST });
    assert.equal(await readlink(link), path);
    assert.match(passwordLine(await readFile(path, 'utf8')), /enc:v1:/);
  });

  it('fails clearly on an enc:v1 value from another key or a malformed one', async () => {
    const foreign = encryptSecret('hunter22', activeKey({ encryption_key: 'some other key' }));
    for (const [value, pattern] of [
      [foreign, /^settings\.vcenter_password: cannot decrypt the enc:v1 value with the active key/],
      ['enc:v1:AAAA', /^settings\.vcenter_password: malformed enc:v1 value: 3 bytes is shorter than the 28-byte minimum/],
      ['enc:v1:%%%', /^settings\.vcenter_password: malformed enc:v1 value: not valid base64$/],
    ] as const) {
      const original = settingsText(`"${value}"`);
      const { path, loaded } = await settingsFile(original);
      await assert.rejects(resolveVcenterPassword(loaded, captureLog().log, { host: HOST }), (error: unknown) => {
        assert.ok(isVctpError(error));
        assert.equal(error.code, 'credentials');
        assert.match(error.message, pattern);
        assert.ok(!error.message.includes(value.slice(7) || '\u0000'));
        return true;
      });
      assert.equal(await readFile(path, 'utf8'), original);
    }
  });

  it('says so when no password is set', async () => {
    const { loaded } = await settingsFile('settings:\n  vcenter_username: x\n');
    await assert.rejects(resolveVcenterPassword(loaded, captureLog().log, { host: HOST }), /settings\.vcenter_password: is not set/);
  });
});
