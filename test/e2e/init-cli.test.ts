// `vctp init --non-interactive` (built binary) against the simulator and real SQLite/PostgreSQL:
// the file it writes is one `vctp snapshot` then runs with; it never replaces a file without
// --force; a wrong vCenter password or an unreachable database is a clear error, nothing written.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVctp } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

describe('vctp init --non-interactive (built binary, simulator)', () => {
  let sim: Vcsim;
  let lab: Vcsim;
  let dir: string;
  let pg: TestDatabase;
  let caBundle: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-init-'));
    // Two vCenters with different accounts: one shared (vcenter_addresses), one its own (vcenters).
    sim = await startVcsim({ dc: 1, cluster: 1, host: 1, vm: 6, certDir: join(dir, 'certs'), username: 'ops', password: 'pa55word' });
    lab = await startVcsim({ dc: 1, cluster: 1, host: 1, vm: 4, certDir: join(dir, 'lab-certs'), username: 'lab@vsphere.local', password: 'l@b:secret/1' });
    pg = await createTestDatabase('postgres');
    // Each simulator has its own CA; the bundle holds both, as a site's CA file would.
    caBundle = join(dir, 'ca-bundle.pem');
    writeFileSync(caBundle, `${sim.ca}\n${lab.ca}\n`);
  });
  after(async () => {
    await sim?.stop();
    await lab?.stop();
    await pg?.drop();
  });

  const common = () => ['--non-interactive', '--vcenter-ca-file', caBundle, '--reports-dir', join(dir, 'reports')];
  // The lab account's password holds @ : and /, percent-encoded in the URL as a shell user would.
  const labUrl = () => lab.url.replace('https://', `https://${encodeURIComponent('lab@vsphere.local')}:${encodeURIComponent('l@b:secret/1')}@`);

  it('writes a commented SQLite settings file, enc:v1 passwords, that vctp snapshot then uses', async () => {
    const path = join(dir, 'sqlite', 'vctp.yml');
    const args = [...common(), '--vcenter', sim.url, '--vcenter-username', 'ops', '--vcenter-password', 'pa55word', '--vcenter', labUrl(), '--database-url', join(dir, 'db.sqlite3')];
    const result = await runVctp(['-s', path, '--metrics-textfile-dir', join(dir, 'metrics'), 'init', ...args]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /login ok as ops/);
    assert.match(result.stderr, /login ok as lab@vsphere\.local/);
    assert.match(result.stderr, /does not exist yet; the first job creates it/);
    assert.ok(!existsSync(join(dir, 'db.sqlite3')), 'the check creates no database');

    const text = readFileSync(path, 'utf8');
    assert.equal(statSync(path).mode & 0o777, 0o640);
    assert.match(text, /^# vctp settings, written by vctp init/);
    assert.match(text, /^ {2}# --- vCenter -/m);
    assert.match(text, /^ {2}vcenter_addresses:\n {4}- "https:\/\/127\.0\.0\.1:\d+\/sdk"\n {2}vcenter_username: "ops"\n {2}vcenter_password: "enc:v1:[A-Za-z0-9+/=]+"$/m);
    assert.match(text, /^ {2}vcenters:\n {4}- url: "https:\/\/127\.0\.0\.1:\d+\/sdk"\n {6}username: "lab@vsphere\.local"\n {6}password: "enc:v1:[A-Za-z0-9+/=]+"$/m);
    assert.match(text, /^ {2}metrics_textfile_dir: ".*metrics"$/m);
    assert.match(text, /^ {2}auth_enabled: false$/m);
    for (const secret of ['pa55word', 'l@b:secret/1']) assert.ok(!text.includes(secret), secret);

    const doctor = await runVctp(['-s', path, 'doctor', '--json']);
    const checks = JSON.parse(doctor.stdout) as { check: string; status: string; detail: string }[];
    assert.equal(checks.find((c) => c.check === 'settings')?.status, 'ok', JSON.stringify(checks[0]));
    assert.equal(checks.filter((c) => c.check.startsWith('vcenter ') && c.status === 'ok').length, 2, doctor.stdout);

    const snapshot = await runVctp(['-s', path, 'snapshot', '--json']);
    assert.equal(snapshot.code, 0, snapshot.stderr);
    const outcomes = JSON.parse(snapshot.stdout).outcomes as { ok: boolean; summary: { vmCount: number } }[];
    assert.deepEqual(outcomes.map((o) => [o.ok, o.summary.vmCount]), [
      [true, sim.info.vms],
      [true, lab.info.vms],
    ]);
    // Already enc:v1: the snapshot left the file as init wrote it.
    assert.equal(readFileSync(path, 'utf8'), text);
  });

  it('writes a PostgreSQL settings file that vctp snapshot uses (the password read from stdin)', async () => {
    const path = join(dir, 'pg', 'vctp.yml');
    // The password from stdin (`-`), off the command line.
    const args = [...common(), '--vcenter', sim.url, '--vcenter-username', 'ops', '--vcenter-password', '-', '--database-driver', 'postgres', '--database-url', pg.settings.database_url];
    const result = await runVctp(['-s', path, 'init', ...args], { input: 'pa55word\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /database: PostgreSQL accepts the connection/);
    assert.match(readFileSync(path, 'utf8'), /^ {2}database_driver: postgres\n {2}database_url: "postgres/m);
    const snapshot = await runVctp(['-s', path, 'snapshot', '--json']);
    assert.equal(snapshot.code, 0, snapshot.stderr);
    assert.equal(JSON.parse(snapshot.stdout).outcomes[0].summary.vmCount, sim.info.vms);
  });

  it('refuses to replace an existing file without --force, and replaces it with --force', async () => {
    const path = join(dir, 'existing.yml');
    writeFileSync(path, 'settings:\n  encryption_key: kept-key\n');
    const args = [...common(), '--vcenter', sim.url, '--vcenter-username', 'ops', '--vcenter-password', 'pa55word', '--database-url', join(dir, 'x.sqlite3')];
    const refused = await runVctp(['-s', path, 'init', ...args]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /existing\.yml: a settings file is already there; nothing written \(pass --force to replace it/);
    assert.equal(readFileSync(path, 'utf8'), 'settings:\n  encryption_key: kept-key\n');

    const forced = await runVctp(['-s', path, 'init', ...args, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    const text = readFileSync(path, 'utf8');
    // The replaced file's encryption_key is kept: the new passwords are encrypted with it.
    assert.match(text, /^ {2}encryption_key: "kept-key"$/m);
    const doctor = await runVctp(['-s', path, 'doctor', '--json']);
    assert.match(JSON.parse(doctor.stdout).find((c: { check: string }) => c.check.startsWith('vcenter ')).detail, /login ok as ops/);
  });

  it('a wrong vCenter password: names the vCenter and the account, exits non-zero, writes nothing', async () => {
    const path = join(dir, 'bad-password.yml');
    const args = [...common(), '--vcenter', sim.url, '--vcenter-username', 'ops', '--vcenter-password', 'wrong-password', '--database-url', join(dir, 'y.sqlite3')];
    const result = await runVctp(['-s', path, 'init', ...args]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`--vcenter ${sim.url.replace(/[.]/g, '\\.')}: login as ops failed: .*(login|password|incorrect)`, 'i'));
    assert.match(result.stderr, /nothing written/);
    assert.doesNotMatch(result.stderr, /wrong-password/);
    assert.ok(!existsSync(path));
  });

  it('an unreachable PostgreSQL: names the URL without its password, exits 4, writes nothing', async () => {
    const path = join(dir, 'bad-db.yml');
    const args = [...common(), '--vcenter', sim.url, '--vcenter-username', 'ops', '--vcenter-password', 'pa55word', '--database-driver', 'postgres', '--database-url', 'postgres://vctp:db-secret@127.0.0.1:1/vctp'];
    const result = await runVctp(['-s', path, 'init', ...args]);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /--database-url postgres:\/\/vctp:\*\*\*@127\.0\.0\.1:1\/vctp: /);
    assert.doesNotMatch(result.stderr, /db-secret/);
    assert.ok(!existsSync(path));
  });

  it('names the missing flag with --non-interactive', async () => {
    const path = join(dir, 'missing.yml');
    const cases: [string[], RegExp][] = [
      [['--non-interactive'], /--vcenter: required with --non-interactive/],
      [['--non-interactive', '--vcenter', sim.url], /--vcenter-username: required with --non-interactive/],
      [['--non-interactive', '--vcenter', sim.url, '--vcenter-username', 'ops'], /--vcenter-password: required with --non-interactive/],
      [['--non-interactive', '--vcenter', sim.url, '--vcenter-username', 'ops', '--vcenter-password', 'pa55word', '--database-driver', 'postgres'], /--database-url: required with --non-interactive/],
      [['--non-interactive', '--vcenter', sim.url, '--vcenter-username', 'ops', '--vcenter-password', 'pa55word', '--auth', 'ldap'], /--ldap-bind-address: required with --non-interactive/],
      // One vCenter twice (shared, and with its own account): refused before any login, naming both entries.
      [
        ['--non-interactive', '--vcenter', sim.url, '--vcenter-username', 'ops', '--vcenter-password', 'pa55word', '--vcenter', sim.url.replace('https://', 'https://ops:other-secret@')],
        /settings\.vcenters\[0\]\.url: the same vCenter as settings\.vcenter_addresses\[0\]/,
      ],
    ];
    for (const [args, expected] of cases) {
      const result = await runVctp(['-s', path, 'init', ...args]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, expected);
    }
    assert.ok(!existsSync(path));
  });

  it('without a terminal and without --non-interactive, says what to do', async () => {
    const result = await runVctp(['-s', join(dir, 'no-tty.yml'), 'init']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pass --non-interactive and the values as flags/);
  });
});
