// The built binary refuses settings that would load but mean something wrong: it exits 1 naming
// the key, and creates nothing (no database, no reports, no directory). It warns when others can
// read the secrets of the settings file, and what it creates is not readable by others.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runVctp } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'vctp-e2e-refusals-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A fresh working directory holding only vctp.yml (mode 0600 unless said) with `lines` under settings:. */
function workdir(lines: string[], mode = 0o600): { cwd: string; settings: string } {
  const cwd = join(root, `case-${counter++}`);
  mkdirSync(cwd);
  const settings = join(cwd, 'vctp.yml');
  writeFileSync(settings, ['settings:', ...lines.map((l) => `  ${l}`), ''].join('\n'));
  chmodSync(settings, mode);
  return { cwd, settings };
}

function inside(cwd: string, ...lines: string[]): string[] {
  return [
    `database_url: ${join(cwd, 'data', 'db.sqlite3')}`,
    `reports_dir: ${join(cwd, 'reports')}`,
    'vcenter_username: ops',
    'vcenter_password: pa55word',
    'hourly_snapshot_max_retries: 0',
    ...lines,
  ];
}

async function refused(args: string[], lines: (cwd: string) => string[], expected: RegExp): Promise<void> {
  const base = workdir([]);
  writeFileSync(base.settings, ['settings:', ...lines(base.cwd).map((l) => `  ${l}`), ''].join('\n'));
  const result = await runVctp(['-s', base.settings, ...args], { cwd: base.cwd });
  assert.equal(result.code, 1, `exit ${result.code}\n${result.stderr}`);
  assert.match(result.stderr, expected);
  assert.deepEqual(readdirSync(base.cwd), ['vctp.yml'], 'nothing created beside the settings file');
}

describe('vctp refuses settings that would mean something wrong (built binary)', () => {
  it('refuses one vCenter listed twice, naming both entries', async () => {
    await refused(
      ['snapshot'],
      (cwd) => inside(cwd, 'vcenter_addresses:', '  - https://vc1.example.com/sdk', '  - https://vc2.example.com/sdk', '  - "https://VC1.example.com:443/sdk/"'),
      /settings\.vcenter_addresses\[2\]: the same vCenter as \[0\] \(https:\/\/vc1\.example\.com\/sdk\)/,
    );
    await refused(
      ['snapshot'],
      (cwd) => inside(cwd, 'vcenter_addresses: [ "https://localhost:8989/sdk", "https://[::1]:8989/sdk" ]'),
      /settings\.vcenter_addresses\[1\]: the same vCenter as \[0\] \(https:\/\/localhost:8989\/sdk\)/,
    );
  });

  it('refuses a SQLite database that keeps nothing', async () => {
    const cases: [string, string[]][] = [
      [':memory:', ['snapshot']],
      [':memory:', ['db', 'migrate']],
      ['sqlite://', ['status']],
      ['file::memory:', ['snapshot']],
      ['file:vctp.sqlite3?mode=memory', ['snapshot']],
    ];
    for (const [url, command] of cases) {
      await refused(
        command,
        (cwd) => [...inside(cwd, 'vcenter_addresses: [ "https://vc1.example.com/sdk" ]').filter((l) => !l.startsWith('database_url')), `database_url: "${url}"`],
        /settings\.database_url: is not a persistent database file: /,
      );
    }
  });

  it('refuses a number where a path is expected, and a too-short password', async () => {
    await refused(['status'], (cwd) => [...inside(cwd).filter((l) => !l.startsWith('reports_dir')), 'reports_dir: 42'], /settings\.reports_dir: expected a directory path, got the number 42/);
    await refused(
      ['snapshot'],
      (cwd) => [...inside(cwd, 'vcenter_addresses: [ "https://vc1.example.com/sdk" ]').filter((l) => !l.startsWith('vcenter_password')), 'vcenter_password: ab'],
      /settings\.vcenter_password: is too short: plaintext values of 2 characters or fewer are rejected/,
    );
  });

  it('refuses a vcenter_ca_file that is not PEM', async () => {
    const der = join(root, 'ca.der');
    // Any certificate will do for the DER form: take one Node bundles.
    const { rootCertificates } = await import('node:tls');
    writeFileSync(der, new X509Certificate(rootCertificates[0]!).raw);
    await refused(
      ['snapshot'],
      (cwd) => inside(cwd, 'vcenter_addresses: [ "https://vc1.example.com/sdk" ]', `vcenter_ca_file: ${der}`),
      /settings\.vcenter_ca_file: .*ca\.der is a DER \(binary\) certificate, not PEM; convert it: openssl x509 -inform der/,
    );
    await refused(['snapshot'], (cwd) => inside(cwd, `vcenter_ca_file: ${root}`), /settings\.vcenter_ca_file: .* is a directory/);
  });

  it('warns when others can read the secrets, in the log and in doctor', async () => {
    const { cwd, settings } = workdir([], 0o644);
    writeFileSync(settings, ['settings:', ...inside(cwd, 'log_output: json').map((l) => `  ${l}`), ''].join('\n'));
    // status only reads: the database is made first, as the first job would.
    assert.equal((await runVctp(['-s', settings, 'db', 'migrate'], { cwd })).code, 0);
    const status = await runVctp(['-s', settings, 'status', '--json'], { cwd });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stderr, /file mode 0644: the file holds secrets \(vcenter_password\) and every local user can read it; .*Fix: chmod o-rwx /);

    const doctor = await runVctp(['-s', settings, 'doctor', '--json', '--timeout', '5'], { cwd });
    const checks = JSON.parse(doctor.stdout) as { check: string; status: string; detail: string }[];
    const check = checks.find((c) => c.check === 'settings');
    assert.equal(check?.status, 'warn', doctor.stdout);
    assert.match(check!.detail, /file mode 0644: the file holds secrets/);

    chmodSync(settings, 0o600);
    const quiet = await runVctp(['-s', settings, 'status', '--json'], { cwd });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /file mode/);
  });

  it('creates the database and its directory without access for others', async () => {
    const { cwd, settings } = workdir([]);
    writeFileSync(settings, ['settings:', ...inside(cwd).map((l) => `  ${l}`), ''].join('\n'));
    const result = await runVctp(['-s', settings, 'db', 'migrate'], { cwd });
    assert.equal(result.code, 0, result.stderr);
    for (const path of [join(cwd, 'data'), join(cwd, 'data', 'db.sqlite3')]) {
      assert.equal(statSync(path).mode & 0o027, 0, `${path}: mode ${(statSync(path).mode & 0o777).toString(8)}`);
    }
  });
});
