// The built binary, as an operator meets it: help, exit codes, settings errors, legacy flags.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runVctp } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-'));
function settingsFile(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

describe('vctp command line', () => {
  it('prints help and exits 0', async () => {
    const result = await runVctp(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /snapshot/);
    assert.match(result.stdout, /Exit status: 0 ok, 1 user or configuration error, 2 some vCenters failed/);
  });

  it('rejects an unknown command with exit 1', async () => {
    const result = await runVctp(['frobnicate']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unknown command 'frobnicate'/);
  });

  it('lists every mistake of a settings file, with key paths, and exits 1', async () => {
    const path = settingsFile(
      'bad.yml',
      'settings:\n  bind_port: "x"\n  log_level: loud\n  database_driver: postgres\n  vcenter_addresses: [ "ftp://vc" ]\n',
    );
    const result = await runVctp(['-s', path, 'status']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    assert.match(result.stderr, /settings\.bind_port: expected an integer 1-65535, got "x"/);
    assert.match(result.stderr, /settings\.log_level/);
    assert.match(result.stderr, /settings\.database_url/);
    assert.match(result.stderr, /settings\.vcenter_addresses\[0\]/);
  });

  it('names the missing settings file and how to point at another', async () => {
    const result = await runVctp(['-s', join(dir, 'nope.yml'), 'status']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nope\.yml/);
    assert.match(result.stderr, /--settings/);
  });

  it('accepts the original -settings flag and reads VCTP_SETTINGS', async () => {
    const db = join(dir, 'db.sqlite3');
    const path = settingsFile('ok.yml', `settings:\n  database_url: ${db}\n  log_output: json\n`);
    // status only reads: the database is made first, as the first job (or db migrate) would.
    const made = await runVctp(['-settings', path, 'db', 'migrate']);
    assert.equal(made.code, 0, made.stderr);
    const legacy = await runVctp(['-settings', path, 'status', '--json']);
    assert.equal(legacy.code, 0, legacy.stderr);
    assert.deepEqual(JSON.parse(legacy.stdout).vcenters, []);
    const viaEnv = await runVctp(['status'], { env: { VCTP_SETTINGS: path } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.match(viaEnv.stdout, /no vCenter configured or captured yet/);
  });

  it('refuses a snapshot without vCenters, naming the setting', async () => {
    const path = settingsFile('novc.yml', `settings:\n  database_url: ${join(dir, 'db2.sqlite3')}\n`);
    const result = await runVctp(['-settings', path, '-run-inventory']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /settings\.vcenter_addresses: no vCenter configured/);
  });

  it('rejects a bad --at with the flag named', async () => {
    const path = settingsFile('at.yml', `settings:\n  database_url: ${join(dir, 'db3.sqlite3')}\n  vcenter_addresses: [ "https://vc.example.com/sdk" ]\n  vcenter_username: u\n  vcenter_password: enc:v1:AAAA\n`);
    const result = await runVctp(['-s', path, 'snapshot', '--at', 'yesterday']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--at yesterday: expected unix seconds or an ISO 8601 time/);
  });

  it('migrates the database on demand', async () => {
    const path = settingsFile('mig.yml', `settings:\n  database_url: ${join(dir, 'db4.sqlite3')}\n`);
    const result = await runVctp(['-s', path, 'db', 'migrate']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /up to date/);
  });

  it('encrypts a password from stdin', async () => {
    const path = settingsFile('enc.yml', 'settings:\n  encryption_key: test-key\n');
    const result = await runVctp(['-s', path, 'encrypt'], { input: 'hunter22\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout.trim(), /^enc:v1:[A-Za-z0-9+/=]+$/);
  });
});
