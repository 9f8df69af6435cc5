// Guards of `vctp snapshot` against VMware's simulator: a plain run leaves a vCenter alone while its
// latest snapshot is younger than half the snapshot interval (--force takes one anyway); one vCenter
// listed under two names is captured once, the second entry failing with both named; and a database
// fault during a capture ends the run as the database's, not as a vCenter's failure to retry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { sql } from 'drizzle-orm';
import { VctpError } from '../../src/core/errors.js';
import { runSnapshot, type SnapshotSettings } from '../../src/jobs/snapshot.js';
import { latestJobRuns } from '../../src/store/job-runs-repository.js';
import type { Store } from '../../src/store/executor.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

const USER = 'vctp-test';
const PASSWORD = 'guard-pass';

describe('snapshot guards (simulator, SQLite)', () => {
  let sim: Vcsim;
  let db: TestDatabase;
  let store: Store;
  let settings: SnapshotSettings;

  before(async () => {
    sim = await startVcsim({ vm: 2, cluster: 1, host: 1, standaloneHost: 0, username: USER, password: PASSWORD });
    db = await createTestDatabase('sqlite');
    store = await db.open();
    settings = {
      vcenter_addresses: [sim.url],
      vcenter_username: USER,
      vcenter_insecure: false,
      vcenter_ca_file: sim.caFile!,
      hourly_snapshot_concurrency: 0,
      hourly_snapshot_retry_seconds: 0,
      hourly_snapshot_max_retries: 2,
      lock_wait_seconds: 5,
      vcenter_inventory_snapshot_seconds: 3600,
      tier_patterns: DEFAULT_TIER_PATTERNS,
      tenants_to_filter: [],
      node_charge_clusters: [],
      srm_activeactive_vms: [],
    };
  });
  after(async () => {
    await store?.close();
    await db?.drop();
    await sim?.stop();
  });

  it('leaves a vCenter alone while its latest snapshot is younger than half the interval; --force takes one', async () => {
    const now = Date.now();
    const first = await runSnapshot({ ...testContext(store), now: () => now }, settings, { password: PASSWORD });
    assert.ok(!first.skipped && first.outcomes[0]!.ok && first.outcomes[0]!.summary, JSON.stringify(first));

    const soon = await runSnapshot({ ...testContext(store), now: () => now + 1799_000 }, settings, { password: PASSWORD });
    assert.ok(!soon.skipped);
    assert.equal(soon.outcomes[0]!.summary, undefined, 'nothing captured');
    assert.match(soon.outcomes[0]!.skipped ?? '', /younger than half the snapshot interval \(1800 s\); --force takes another/);

    const forced = await runSnapshot({ ...testContext(store), now: () => now + 1799_000 }, settings, { password: PASSWORD, force: true });
    assert.ok(!forced.skipped && forced.outcomes[0]!.summary, JSON.stringify(forced));

    const later = await runSnapshot({ ...testContext(store), now: () => now + 1799_000 + 1800_000 }, settings, { password: PASSWORD });
    assert.ok(!later.skipped && later.outcomes[0]!.summary, 'half an interval after the last one, a plain run captures again');
  });

  it('captures one vCenter reached under two names once, and fails the second entry naming both, without retrying', async () => {
    const port = new URL(sim.url).port;
    const byIp = `https://127.0.0.1:${port}/sdk`;
    const byName = `https://localhost:${port}/sdk`;
    // The simulator's certificate names 127.0.0.1 but not localhost: verification off for the alias.
    const aliased = { ...settings, vcenter_addresses: [byIp, byName], hourly_snapshot_concurrency: 1, vcenter_insecure: true };
    const result = await runSnapshot(testContext(store, Date.now() + 10 * 3600_000), aliased, { password: PASSWORD });
    assert.ok(!result.skipped);
    const [first, second] = result.outcomes;
    assert.ok(first!.ok && first!.summary, JSON.stringify(first));
    assert.equal(second!.ok, false);
    assert.equal(second!.attempts, 1, 'not retried');
    assert.match(second!.error ?? '', new RegExp(`${byName.replaceAll('.', '\\.')} reaches the same vCenter \\(instance [^)]+\\) as ${byIp.replaceAll('.', '\\.')}`));
    assert.match(second!.error ?? '', /not retried: the same vCenter as/);
  });
});

describe('snapshot guards (simulator, PostgreSQL)', () => {
  let sim: Vcsim;
  let db: TestDatabase;
  let store: Store;

  before(async () => {
    sim = await startVcsim({ vm: 2, cluster: 1, host: 1, standaloneHost: 0, username: USER, password: PASSWORD });
    db = await createTestDatabase('postgres');
    store = await db.open();
  });
  after(async () => {
    await store?.close();
    await db?.drop();
    await sim?.stop();
  });

  it('a database fault during the capture is the run\'s (exit 4), not the vCenter\'s, and is not retried', async () => {
    // A real refusal: the role may no longer write the span table (the job lock and job_runs still work).
    await store.run(sql`REVOKE INSERT ON vm_spans FROM CURRENT_USER`);
    const settings: SnapshotSettings = {
      vcenter_addresses: [sim.url],
      vcenter_username: USER,
      vcenter_insecure: false,
      vcenter_ca_file: sim.caFile!,
      hourly_snapshot_concurrency: 0,
      hourly_snapshot_retry_seconds: 0,
      hourly_snapshot_max_retries: 3,
      lock_wait_seconds: 5,
      vcenter_inventory_snapshot_seconds: 3600,
      tier_patterns: DEFAULT_TIER_PATTERNS,
      tenants_to_filter: [],
      node_charge_clusters: [],
      srm_activeactive_vms: [],
    };
    await assert.rejects(runSnapshot(testContext(store, Date.now()), settings, { password: PASSWORD }), (error: unknown) => {
      assert.ok(error instanceof VctpError, String(error));
      assert.equal(error.code, 'database');
      assert.match(error.message, /privilege|permission denied/);
      return true;
    });
    const runs = await latestJobRuns(store);
    const part = runs.find((r) => r.job === 'snapshot' && r.vcenter !== null);
    assert.equal(part?.status, 'failed');
    assert.equal(part?.attempts, 1, 'a database fault is not retried as a vCenter blip');
    assert.equal(runs.find((r) => r.job === 'snapshot' && r.vcenter === null)?.status, 'failed');
  });
});
