// Per-vCenter credentials: settings.vcenters beside vcenter_addresses + one username/password.
// Validation names the entry and field; resolution gives one list of {url, username, password},
// encrypting each plaintext password in place at its own position in the file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  activeKey,
  decryptSecret,
  encryptSecret,
  parseSettings,
  readVcenterLogins,
  resolveVcenterLogins,
  SettingsError,
  type HostIdentitySource,
} from '../../src/config/index.js';
import { configuredVcenterUrls, vcenterEntries } from '../../src/core/vcenter-logins.js';
import { createLogger } from '../../src/log/logger.js';

const HOST: HostIdentitySource = { readFile: () => '0123456789abcdef0123456789abcdef', hostname: () => 'collector-1' };
const log = createLogger({ level: 'silent' });
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function problemsOf(text: string): readonly string[] {
  try {
    parseSettings(text, '/x/vctp.yml');
  } catch (error) {
    assert.ok(error instanceof SettingsError, String(error));
    return error.problems;
  }
  assert.fail('expected the settings to be refused');
}

const BOTH = [
  '# collectors: keep this comment',
  'settings:',
  '  vcenter_username: shared@vsphere.local',
  '  vcenter_password: shared-secret   # shared',
  '  vcenter_addresses:',
  '    - https://vc1.example.com/sdk',
  '    - https://vc2.example.com/sdk',
  '  vcenters:',
  '    # the lab has its own account',
  '    - url: https://lab.example.com/sdk',
  '      username: lab@vsphere.local',
  '      password: lab-secret   # lab',
  '    - { url: "https://dr.example.com/sdk", username: "0042", password: "dr-secret" }',
  '',
].join('\n');

describe('settings.vcenters: validation', () => {
  it('loads entries beside vcenter_addresses; the list is vcenter_addresses first, then vcenters', () => {
    const { settings, warnings } = parseSettings(BOTH, '/x/vctp.yml');
    assert.deepEqual(warnings, []);
    assert.equal(settings.vcenters[1]!.username, '0042');
    assert.deepEqual(configuredVcenterUrls(settings), [
      'https://vc1.example.com/sdk',
      'https://vc2.example.com/sdk',
      'https://lab.example.com/sdk',
      'https://dr.example.com/sdk',
    ]);
    assert.deepEqual(
      vcenterEntries(settings).map((e) => [e.urlKey, e.usernameKey, e.passwordKey]),
      [
        ['settings.vcenter_addresses[0]', 'settings.vcenter_username', 'settings.vcenter_password'],
        ['settings.vcenter_addresses[1]', 'settings.vcenter_username', 'settings.vcenter_password'],
        ['settings.vcenters[0].url', 'settings.vcenters[0].username', 'settings.vcenters[0].password'],
        ['settings.vcenters[1].url', 'settings.vcenters[1].username', 'settings.vcenters[1].password'],
      ],
    );
    assert.deepEqual(parseSettings('settings:\n', '/x').settings.vcenters, []);
  });

  it('names the entry and field of each problem, and keeps passwords out of the messages', () => {
    const problems = problemsOf(
      [
        'settings:',
        '  vcenters:',
        '    - url: https://ok.example.com/sdk',
        '      username: a@vsphere.local',
        '      password: fine-secret',
        '    - url: ftp://bad.example.com',
        '      password: x1',
        '      user: typo',
        '    - https://just-a-url/sdk',
        '',
      ].join('\n'),
    );
    assert.deepEqual(problems, [
      'settings.vcenters[1].url: expected an http:// or https:// URL such as https://vc.example.com/sdk, got "ftp://bad.example.com"',
      'settings.vcenters[1].username: is required (expected a non-empty string)',
      'settings.vcenters[1].password: is too short: plaintext values of 2 characters or fewer are rejected',
      'settings.vcenters[2]: expected a mapping with url, username, password, got "https://just-a-url/sdk"',
    ]);
    assert.ok(!problems.join('\n').includes('x1'));
  });

  it('warns about an unknown key in an entry', () => {
    const text = 'settings:\n  vcenters:\n    - { url: "https://a/sdk", username: u1, password: secret, insecure: true }\n';
    assert.deepEqual(parseSettings(text, '/x').warnings, ['settings.vcenters[0].insecure: unknown key, ignored']);
  });

  it('refuses a vCenter listed under both keys, or twice in vcenters, naming both entries', () => {
    const problems = problemsOf(
      [
        'settings:',
        '  vcenter_addresses: [ "https://vc1.example.com/sdk" ]',
        '  vcenters:',
        '    - { url: "https://VC1.example.com:443/sdk/", username: u1, password: secret1 }',
        '    - { url: "https://vc2/sdk", username: u2, password: secret2 }',
        '    - { url: "https://vc2:443/sdk", username: u3, password: secret3 }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(problems, [
      'settings.vcenters[0].url: the same vCenter as settings.vcenter_addresses[0] (https://vc1.example.com/sdk); list each vCenter once, under vcenter_addresses (shared credentials) or vcenters (its own)',
      'settings.vcenters[2].url: the same vCenter as settings.vcenters[1].url (https://vc2/sdk); list each vCenter once, under vcenter_addresses (shared credentials) or vcenters (its own)',
    ]);
  });
});

describe('resolveVcenterLogins', () => {
  async function settingsFile(text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'vctp-logins-'));
    dirs.push(dir);
    const path = join(dir, 'vctp.yml');
    await writeFile(path, text, { mode: 0o640 });
    return path;
  }

  it('gives one login per vCenter and encrypts each plaintext password in place, once each', async () => {
    const path = await settingsFile(BOTH);
    const logins = await resolveVcenterLogins(parseSettings(BOTH, path), log, { host: HOST });
    assert.deepEqual(logins, [
      { url: 'https://vc1.example.com/sdk', username: 'shared@vsphere.local', password: 'shared-secret' },
      { url: 'https://vc2.example.com/sdk', username: 'shared@vsphere.local', password: 'shared-secret' },
      { url: 'https://lab.example.com/sdk', username: 'lab@vsphere.local', password: 'lab-secret' },
      { url: 'https://dr.example.com/sdk', username: '0042', password: 'dr-secret' },
    ]);

    const rewritten = await readFile(path, 'utf8');
    for (const secret of ['shared-secret', 'lab-secret', 'dr-secret']) assert.ok(!rewritten.includes(secret), secret);
    // Comments and layout stay; each password became an enc:v1 value where it was.
    assert.match(rewritten, /^# collectors: keep this comment\n/);
    assert.match(rewritten, /\n {4}# the lab has its own account\n/);
    assert.match(rewritten, /\n {6}password: enc:v1:[A-Za-z0-9+/=]+ {3}# lab\n/);
    assert.match(rewritten, /\n {2}vcenter_password: enc:v1:[A-Za-z0-9+/=]+ {3}# shared\n/);
    const again = parseSettings(rewritten, path);
    const key = activeKey(null, HOST);
    assert.equal(decryptSecret(again.settings.vcenters[1]!.password, [key]), 'dr-secret');
    assert.equal(again.settings.vcenters[1]!.username, '0042');

    // Next start: everything decrypts and the file is left alone.
    assert.deepEqual(await resolveVcenterLogins(again, log, { host: HOST }), logins);
    assert.equal(await readFile(path, 'utf8'), rewritten);
  });

  it('decrypts enc:v1 entries (what vctp encrypt and vctp init write) without touching the file', async () => {
    const key = activeKey(null, HOST);
    const text = `settings:\n  vcenters:\n    - url: https://a.example.com/sdk\n      username: a\n      password: ${encryptSecret('a-secret', key)}\n`;
    const path = await settingsFile(text);
    assert.deepEqual(await resolveVcenterLogins(parseSettings(text, path), log, { host: HOST }), [
      { url: 'https://a.example.com/sdk', username: 'a', password: 'a-secret' },
    ]);
    assert.equal(await readFile(path, 'utf8'), text);
  });

  it('names the unset key: vcenter_username or vcenter_password for vcenter_addresses', async () => {
    const text = 'settings:\n  vcenter_addresses: [ "https://vc1/sdk" ]\n  vcenters:\n    - { url: "https://a/sdk", username: a, password: a-secret }\n';
    const loaded = parseSettings(text, await settingsFile(text));
    await assert.rejects(resolveVcenterLogins(loaded, log, { host: HOST }), /settings\.vcenter_username: is not set; it is required to log in to settings\.vcenter_addresses\[0\] \(https:\/\/vc1\/sdk\)/);
    const read = readVcenterLogins(loaded, { host: HOST });
    assert.deepEqual(read[0]!.password, { error: 'settings.vcenter_password: is not set' });
    assert.deepEqual(read[1], { url: 'https://a/sdk', urlKey: 'settings.vcenters[0].url', username: 'a', password: { password: 'a-secret', form: 'plaintext', key: 'settings.vcenters[0].password' } });
  });

  it('names the entry whose enc:v1 value does not decrypt here', async () => {
    const other = encryptSecret('x-secret', activeKey({ encryption_key: 'another host' }));
    const text = `settings:\n  vcenters:\n    - { url: "https://a/sdk", username: a, password: "${other}" }\n`;
    await assert.rejects(resolveVcenterLogins(parseSettings(text, await settingsFile(text)), log, { host: HOST }), /^VctpError: settings\.vcenters\[0\]\.password: cannot decrypt/);
  });
});
