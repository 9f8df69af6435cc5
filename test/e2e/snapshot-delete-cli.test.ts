// `--at` cannot poison the store, and a snapshot can be taken back: the built binary against the
// simulator. A future or unrepresentable --at is refused naming the flag, before anything is
// stored; a store poisoned by a vctp that did not check (simulated here by capturing in-process)
// blocks the hourly run, which says how to undo it; `vctp snapshot delete` undoes it, after which
// the hourly run and `vctp status` work again.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { silentLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { vcenterName } from '../../src/vcenter/index.js';
import { vm } from '../helpers/builders.js';
import { runVctp } from '../helpers/cli.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

const Y2030 = Date.UTC(2030, 0, 1) / 1000;
const HUGE = 99_999_999_999_999;

describe('vctp snapshot --at bounds and vctp snapshot delete (built binary, simulator)', () => {
  let sim: Vcsim;
  let dir: string;
  let settingsPath: string;
  let database: string;
  let vc: string;
  const vctp = (...args: string[]) => runVctp(['-s', settingsPath, ...args]);
  const status = async () => {
    const result = await vctp('status', '--json');
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { vcenters: { vcenter: string; latestSnapshot: number | null; totals: { vmCount: number } | null }[] };
    // What the store holds (job runs aside: the refused and the delete runs are recorded too).
    return { vcenters: report.vcenters.map(({ vcenter, latestSnapshot, totals }) => ({ vcenter, latestSnapshot, totals })) };
  };
  /** Stores a snapshot in-process, as a vctp that did not check --at would have. */
  const poison = async (at: number) => {
    const store = await openStore({ database_driver: 'sqlite', database_url: database });
    try {
      const ctx = { store, log: silentLogger(), now: () => Date.now() };
      const settings = { tier_patterns: DEFAULT_TIER_PATTERNS, tenants_to_filter: [], node_charge_clusters: [], srm_activeactive_vms: [] };
      await captureInventory(ctx, settings, { vcenter: vc, snapshotTime: Y2030, records: [vm('vm-mistake', { creationTime: Y2030 })] });
      if (at !== Y2030) {
        // Older vctp stored any number: move every trace of the snapshot to the unrepresentable time.
        for (const [table, column] of [
          ['snapshot_registry', 'snapshot_time'],
          ['vcenter_latest_totals', 'snapshot_time'],
          ['vcenter_aggregate_totals', 'snapshot_time'],
          ['vm_spans', 'first_seen'],
          ['vm_lifecycle', 'first_seen'],
          ['vm_lifecycle', 'creation_time'],
        ] as const) {
          await store.run(sql`UPDATE ${sql.raw(table)} SET ${sql.raw(column)} = ${at} WHERE ${sql.raw(column)} = ${Y2030}`);
        }
      }
    } finally {
      await store.close();
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-snapdel-'));
    sim = await startVcsim({ dc: 1, cluster: 1, host: 1, vm: 4, certDir: join(dir, 'certs'), username: 'ops', password: 'pa55word' });
    vc = vcenterName(sim.url);
    settingsPath = join(dir, 'vctp.yml');
    database = join(dir, 'db.sqlite3');
    writeFileSync(
      settingsPath,
      [
        'settings:',
        `  database_url: ${database}`,
        '  log_output: json',
        `  reports_dir: ${join(dir, 'reports')}`,
        `  vcenter_addresses: [ "${sim.url}" ]`,
        '  vcenter_username: ops',
        '  vcenter_password: pa55word',
        `  vcenter_ca_file: ${sim.caFile}`,
        '  encryption_key: e2e-key',
        '  hourly_snapshot_max_retries: 0',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await sim?.stop();
  });

  it('refuses a future --at naming the flag, and stores nothing', async () => {
    const result = await vctp('snapshot', '--at', '2030-01-01T00:00:00Z');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /--at 2030-01-01T00:00:00Z: in the future \(now is \S+; at most 300 s ahead is allowed for clock skew\)/);
    assert.deepEqual((await status()).vcenters.map((v) => v.latestSnapshot), [null]);
  });

  it('refuses an --at no date represents naming the flag, and stores nothing', async () => {
    const result = await vctp('snapshot', '--at', String(HUGE));
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /--at 99999999999999: not a representable time/);
    assert.doesNotMatch(result.stderr, /RangeError|internal error/);
    assert.deepEqual((await status()).vcenters.map((v) => v.latestSnapshot), [null]);
  });

  it('takes a mistaken future snapshot back, after which the hourly run succeeds and status works', async () => {
    const first = await vctp('snapshot', '--json');
    assert.equal(first.code, 0, first.stderr);
    const before = await status();

    await poison(Y2030);
    const blocked = await vctp('snapshot');
    assert.equal(blocked.code, 1, blocked.stderr);
    assert.match(blocked.stderr, /already has a snapshot at 2030-01-01T00:00:00(\.000)?Z, later than this host's clock/);
    assert.match(blocked.stderr, new RegExp(`vctp snapshot delete --vcenter ${vc.replace(/\./g, '\\.')} --at ${Y2030}`));

    const wrong = await vctp('snapshot', 'delete', '--vcenter', vc, '--at', '2030-01-01T01:00:00Z');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /--at 2030-01-01T01:00:00Z: vCenter \S+ has no hourly snapshot at this time; the nearest: .*2030-01-01T00:00:00Z \(1893456000\)/);

    const deleted = await vctp('snapshot', 'delete', '--vcenter', vc, '--at', '2030-01-01T00:00:00Z');
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /removed the hourly snapshot of \S+ at 2030-01-01T00:00:00Z \(1 VM\); its latest snapshot is /);
    assert.deepEqual(await status(), before);

    // --force: the first snapshot above is seconds old (a plain run would leave the vCenter alone).
    const next = await vctp('snapshot', '--force', '--json');
    assert.equal(next.code, 0, next.stderr);
    const after = (await status()).vcenters[0]!;
    assert.ok(after.latestSnapshot! > before.vcenters[0]!.latestSnapshot! && after.latestSnapshot! <= Date.now() / 1000);
    assert.equal(after.totals?.vmCount, before.vcenters[0]!.totals?.vmCount);
  });

  it('takes back a snapshot stored under a time no date represents', async () => {
    const before = await status();
    await poison(HUGE);
    const blocked = await vctp('snapshot');
    assert.equal(blocked.code, 1, blocked.stderr);
    assert.match(blocked.stderr, /already has a snapshot at 99999999999999 \(unix seconds, not a representable date\)/);
    assert.doesNotMatch(blocked.stderr, /RangeError|internal error/);

    const deleted = await vctp('snapshot', 'delete', '--vcenter', vc, '--at', String(HUGE), '--json');
    assert.equal(deleted.code, 0, deleted.stderr);
    const result = JSON.parse(deleted.stdout);
    assert.equal(result.vcenter, vc);
    assert.equal(result.vmCount, 1);
    assert.equal(result.latestSnapshot, before.vcenters[0]!.latestSnapshot);
    assert.equal(result.changes.lifecyclesDeleted, 1);
    assert.deepEqual(await status(), before);
    const next = await vctp('snapshot', '--force');
    assert.equal(next.code, 0, next.stderr);
  });

  it('keeps plain `vctp snapshot --help` and lists delete as its subcommand', async () => {
    const help = await vctp('snapshot', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--at <time>/);
    assert.match(help.stdout, /delete \[options\]/);
    const deleteHelp = await vctp('snapshot', 'delete', '--help');
    assert.equal(deleteHelp.code, 0);
    assert.match(deleteHelp.stdout, /Usage: vctp snapshot delete \[options\]/);
    const bad = await vctp('snapshot', 'delete', '--vcenter', vc, '--at', '1', '--page-size', '5');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--page-size: an option of taking a snapshot, not of snapshot delete/);
  });
});
