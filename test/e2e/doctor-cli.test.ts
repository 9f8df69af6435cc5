// `vctp doctor`, the built binary, against VMware's simulator on SQLite and on a real PostgreSQL:
// a healthy setup passes, each kind of breakage fails the check that names it, and doctor never
// writes: not the database, not the settings file (a plaintext password stays plaintext).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import postgres from 'postgres';
import { runVctp, type CliResult } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

interface Check {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  [fact: string]: unknown;
}

let sim: Vcsim;
let dir: string;
let counter = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-doctor-'));
  sim = await startVcsim({ dc: 1, cluster: 1, host: 1, vm: 4, certDir: join(dir, 'certs'), username: 'ops', password: 'pa55word' });
});
after(async () => {
  await sim?.stop();
});

/** A settings file; `lines` replace or add keys under settings:. */
function settingsFile(database: { driver: 'sqlite' | 'postgres'; url: string }, lines: Record<string, string> = {}): string {
  const keys: Record<string, string> = {
    database_driver: database.driver,
    database_url: database.url,
    log_output: 'json',
    reports_dir: join(dir, 'reports'),
    vcenter_addresses: `[ "${sim.url}" ]`,
    vcenter_username: 'ops',
    vcenter_password: 'pa55word',
    vcenter_ca_file: sim.caFile!,
    encryption_key: 'e2e-doctor-key',
    hourly_snapshot_max_retries: '0',
    ...lines,
  };
  const path = join(dir, `vctp-${counter++}.yml`);
  // 0600: a settings file with a password that every user can read makes the settings check warn.
  writeFileSync(path, ['settings:', ...Object.entries(keys).map(([k, v]) => `  ${k}: ${v}`), ''].join('\n'), { mode: 0o600 });
  return path;
}

async function doctor(settingsPath: string): Promise<{ result: CliResult; checks: Check[] }> {
  const result = await runVctp(['-s', settingsPath, 'doctor', '--json', '--timeout', '10']);
  assert.ok(result.stdout.trim().startsWith('['), `no JSON on stdout (exit ${result.code}): ${result.stderr}`);
  return { result, checks: JSON.parse(result.stdout) as Check[] };
}

function find(checks: Check[], name: string): Check {
  const found = checks.find((c) => c.check === name);
  assert.ok(found, `no check ${name} in ${checks.map((c) => c.check).join(', ')}`);
  return found;
}

function fingerprint(path: string): { bytes: string; mtimeMs: number } {
  return { bytes: readFileSync(path).toString('base64'), mtimeMs: statSync(path).mtimeMs };
}

function vcName(): string {
  return new URL(sim.url).host;
}

describe('vctp doctor on SQLite (built binary, simulator)', () => {
  it('passes a healthy setup after one snapshot, lists every check, and writes nothing', async () => {
    const db = join(dir, 'healthy.sqlite3');
    const settings = settingsFile({ driver: 'sqlite', url: db });
    const snap = await runVctp(['-s', settings, 'snapshot']);
    assert.equal(snap.code, 0, snap.stderr);
    const before = { db: fingerprint(db), settings: fingerprint(settings) };

    const { result, checks } = await doctor(settings);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.deepEqual(checks.filter((c) => c.status === 'fail'), []);
    assert.deepEqual(
      checks.map((c) => c.check),
      [
        'settings',
        'settings: ignored keys',
        `vcenter ${vcName()}`,
        'database',
        'database: schema',
        'database: writable',
        'disk: database',
        'disk: reports_dir',
        `snapshots ${vcName()}`,
        'aggregation: daily',
        'aggregation: monthly',
        'reports',
        'systemd timers',
      ],
    );
    assert.equal(find(checks, 'settings').status, 'ok', find(checks, 'settings').detail);
    const vc = find(checks, `vcenter ${vcName()}`);
    assert.equal(vc.status, 'ok', vc.detail);
    assert.match(vc.detail, /TLS trusted through settings\.vcenter_ca_file/);
    assert.match(vc.detail, /login ok as ops/);
    assert.equal(find(checks, 'database: schema').status, 'ok');
    assert.equal(find(checks, `snapshots ${vcName()}`).status, 'ok');
    assert.deepEqual({ db: fingerprint(db), settings: fingerprint(settings) }, before);

    const table = await runVctp(['-s', settings, 'doctor']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /database: schema/);
    assert.match(table.stdout, /\d+ ok, \d+ warn, 0 fail/);
    assert.deepEqual({ db: fingerprint(db), settings: fingerprint(settings) }, before);
  });

  it('fails the vCenter check on a wrong password, and leaves the plaintext password in the file', async () => {
    const settings = settingsFile({ driver: 'sqlite', url: join(dir, 'wrong-password.sqlite3') }, { vcenter_password: 'not-the-password' });
    const text = readFileSync(settings, 'utf8');
    const { result, checks } = await doctor(settings);
    assert.equal(result.code, 1);
    const vc = find(checks, `vcenter ${vcName()}`);
    assert.equal(vc.status, 'fail');
    assert.match(vc.detail, /login failed for user ops/);
    assert.match(result.stderr, /doctor: \d+ checks? failed: .*vcenter/);
    assert.equal(readFileSync(settings, 'utf8'), text);
    assert.match(find(checks, 'settings').detail, /held as plaintext/);
  });

  it('hints at /sdk when the URL lacks it', async () => {
    const bare = sim.url.replace(/\/sdk$/, '');
    const settings = settingsFile({ driver: 'sqlite', url: join(dir, 'no-sdk.sqlite3') }, { vcenter_addresses: `[ "${bare}" ]` });
    const { result, checks } = await doctor(settings);
    assert.equal(result.code, 1);
    const vc = find(checks, `vcenter ${vcName()}`);
    assert.equal(vc.status, 'fail');
    assert.match(vc.detail, /does not end in \/sdk.*try https:\/\/.*\/sdk/);
  });

  it('lists each ignored key with its reason', async () => {
    const settings = settingsFile(
      { driver: 'sqlite', url: join(dir, 'ignored.sqlite3') },
      { snapshot_cleanup_cron: '"0 3 * * *"', capture_write_batch_size: '500', snapshot_table_compat_mode: 'true', bind_port: '9443' },
    );
    const { checks } = await doctor(settings);
    const ignored = find(checks, 'settings: ignored keys');
    assert.equal(ignored.status, 'warn');
    assert.deepEqual(
      (ignored.keys as { key: string; atDefault: boolean }[]).map((k) => [k.key, k.atDefault]),
      [
        ['snapshot_cleanup_cron', false],
        ['capture_write_batch_size', false],
        ['snapshot_table_compat_mode', true],
      ],
    );
    assert.match(ignored.detail, /snapshot_cleanup_cron: systemd timers schedule/);
  });

  it('fails a database that was never migrated and creates nothing', async () => {
    const missing = join(dir, 'missing', 'db.sqlite3');
    const first = await doctor(settingsFile({ driver: 'sqlite', url: missing }));
    assert.equal(first.result.code, 1);
    assert.match(find(first.checks, 'database').detail, /does not exist yet/);
    assert.equal(existsSync(missing), false);
    assert.equal(existsSync(join(dir, 'missing')), false);

    const empty = join(dir, 'empty.sqlite3');
    writeFileSync(empty, '');
    const before = fingerprint(empty);
    const second = await doctor(settingsFile({ driver: 'sqlite', url: empty }));
    assert.equal(second.result.code, 1);
    const schema = find(second.checks, 'database: schema');
    assert.equal(schema.status, 'fail');
    assert.match(schema.detail, /never migrated.*vctp db migrate/);
    assert.equal(find(second.checks, 'freshness').status, 'warn');
    assert.deepEqual(fingerprint(empty), before);
  });

  it('fails freshness when the latest snapshot is older than two intervals', async () => {
    const settings = settingsFile({ driver: 'sqlite', url: join(dir, 'stale.sqlite3') });
    const at = new Date(Date.now() - 5 * 3600_000).toISOString();
    const snap = await runVctp(['-s', settings, 'snapshot', '--at', at]);
    assert.equal(snap.code, 0, snap.stderr);
    const { result, checks } = await doctor(settings);
    assert.equal(result.code, 1);
    const fresh = find(checks, `snapshots ${vcName()}`);
    assert.equal(fresh.status, 'fail');
    assert.match(fresh.detail, /over two intervals/);
  });
});

describe('vctp doctor on PostgreSQL (built binary, simulator)', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase('postgres');
  });
  after(async () => {
    await database?.drop();
  });

  it('fails an unmigrated database without creating anything, then passes after a snapshot', async () => {
    const settings = settingsFile({ driver: 'postgres', url: database.settings.database_url });
    const unmigrated = await doctor(settings);
    assert.equal(unmigrated.result.code, 1);
    assert.equal(find(unmigrated.checks, 'database').status, 'ok');
    assert.equal(find(unmigrated.checks, 'database: schema').status, 'fail');
    const admin = postgres(database.settings.database_url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await admin`SELECT COUNT(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`;
      assert.equal(row?.n, 0);
      const [schema] = await admin`SELECT COUNT(*)::int AS n FROM pg_namespace WHERE nspname = 'drizzle'`;
      assert.equal(schema?.n, 0);
    } finally {
      await admin.end();
    }

    const snap = await runVctp(['-s', settings, 'snapshot']);
    assert.equal(snap.code, 0, snap.stderr);
    const { result, checks } = await doctor(settings);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.equal(find(checks, 'database: schema').status, 'ok');
    assert.equal(find(checks, 'database: writable').status, 'ok');
    const tuning = find(checks, 'database: postgresql tuning');
    assert.ok(tuning.status === 'ok' || tuning.status === 'warn');
    const sharedBuffers = (tuning.settings as { name: string; current: string | null }[]).find((s) => s.name === 'shared_buffers');
    assert.ok(sharedBuffers?.current, 'shared_buffers reported');
    assert.equal(find(checks, `snapshots ${vcName()}`).status, 'ok');
  });
});
