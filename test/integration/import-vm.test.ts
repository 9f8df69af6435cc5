// import-vm on both databases: a VM's creation or deletion time set by hand lands in vm_lifecycle
// (what aggregation and reports read), survives later snapshots, is audited, is refused when the
// snapshots contradict it, makes the summaries that carried the old value stale for `vctp repair`,
// and is refused while another run holds the aggregation lock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { LifecycleImportError } from '../../src/core/lifecycle-import.js';
import { VctpError } from '../../src/core/errors.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import type { JobContext } from '../../src/jobs/context.js';
import { type ImportVmInput, runImportVm } from '../../src/jobs/import-vm.js';
import { withJobLock } from '../../src/jobs/job-lock.js';
import { runRepair } from '../../src/jobs/repair.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/executor.js';
import { vm } from '../helpers/builders.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { H, SETTINGS, utc } from './maintenance-fleet.js';

const START = utc('2026-03-30T00:00:00Z');
const B_GONE = utc('2026-03-31T11:00:00Z');
const HOURS = 72; // 03-30 00:00 to 04-01 23:00

for (const engine of ENGINES) {
  describe(`import-vm (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    // A clock that moves one second per reading, from 04-02 12:00: each run is later than the one before.
    let clock = utc('2026-04-02T12:00:00Z') * 1000;
    const ctx = (): JobContext => ({ store, log: silentLogger(), now: () => (clock += 1000) });
    const base = (over: Partial<ImportVmInput>): ImportVmInput => ({ vcenter: 'vc1', vmId: 'vm-a', reason: 'from the change ticket', user: 'alice', source: 'api', lockWaitSeconds: 0, ...over });
    const lifecycle = async (vmId: string) =>
      (await store.all<{ creation_time: number; deletion_time: number }>(sql`SELECT creation_time, deletion_time FROM vm_lifecycle WHERE vm_id = ${vmId}`)).map((r) => [Number(r.creation_time), Number(r.deletion_time)])[0];
    const audits = () => store.all<Record<string, unknown>>(sql`SELECT * FROM vm_lifecycle_imports ORDER BY id`);
    const runs = async () => (await store.all<{ status: string }>(sql`SELECT status FROM job_runs WHERE job = 'import-vm' ORDER BY id`)).map((r) => r.status);

    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      for (let i = 0; i < HOURS; i++) {
        const t = START + i * H;
        const records = [vm('vm-a'), ...(t < B_GONE ? [vm('vm-b', { creationTime: utc('2026-03-01T00:00:00Z') })] : [])];
        await captureInventory({ ...ctx(), now: () => t * 1000 }, SETTINGS, { vcenter: 'vc1', snapshotTime: t, records });
      }
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('refuses values the snapshots contradict, unknown VMs and an empty reason, writing nothing', async () => {
      const refused = async (over: Partial<ImportVmInput>, check: (e: unknown) => boolean) => assert.ok(await runImportVm(ctx(), base(over)).then(() => false, check));
      const field = (name: string) => (e: unknown) => e instanceof LifecycleImportError && e.field === name;
      await refused({ creationTime: START + 1 }, field('creationTime'));
      await refused({ creationTime: 0 }, field('creationTime'));
      await refused({ deletionTime: START + 10 * H }, field('deletionTime')); // vm-a is still present
      await refused({ vmId: 'vm-b', deletionTime: B_GONE - H - 1 }, field('deletionTime')); // before its last snapshot
      await refused({ vmId: 'vm-b', deletionTime: B_GONE + 1 }, field('deletionTime')); // after the first snapshot without it
      await refused({}, field('body'));
      await refused({ creationTime: START, reason: '  ' }, field('reason'));
      await refused({ vmId: 'vm-zzz', creationTime: START }, (e) => e instanceof VctpError && e.code === 'not-found' && /vm-zzz/.test(e.message));
      await refused({ vcenter: 'nope', creationTime: START }, (e) => e instanceof VctpError && e.code === 'not-found' && /known: vc1/.test(e.message));
      assert.equal((await audits()).length, 0);
      assert.deepEqual(await runs(), []);
      assert.deepEqual(await lifecycle('vm-a'), [0, 0]);
    });

    it('sets a creation time vCenter never gave, audited, and a later snapshot keeps it', async () => {
      const created = utc('2026-02-14T09:30:00Z');
      const result = await runImportVm(ctx(), base({ creationTime: created }));
      assert.equal(result.skipped, false);
      if (result.skipped) return;
      assert.equal(result.changed, true);
      assert.deepEqual(result.before, { creationTime: 0, deletionTime: 0 });
      assert.deepEqual(result.after, { creationTime: created, deletionTime: 0 });
      assert.deepEqual(result.staleDays, { first: '2026-03-30', last: '2026-04-01' });
      assert.equal(result.repair, 'vctp repair --from 2026-03-30 --to 2026-04-01');
      assert.deepEqual(await lifecycle('vm-a'), [created, 0]);
      const rows = await audits();
      assert.equal(rows.length, 1);
      assert.deepEqual(
        { ...rows[0], id: undefined, imported_at: undefined },
        {
          id: undefined,
          imported_at: undefined,
          vcenter_id: 1,
          lifecycle_id: result.lifecycleId,
          vm_id: 'vm-a',
          imported_by: 'alice',
          source: 'api',
          reason: 'from the change ticket',
          old_creation_time: 0,
          new_creation_time: created,
          old_deletion_time: 0,
          new_deletion_time: 0,
          first_day: utc('2026-03-30T00:00:00Z'),
          last_day: utc('2026-04-01T00:00:00Z'),
        },
      );
      assert.equal(Number(rows[0]!.imported_at), result.audit!.time);
      assert.deepEqual(await runs(), ['ok']);

      // vCenter now reports a (different) creation time: the one set by hand stays.
      const t = START + HOURS * H;
      await captureInventory({ ...ctx(), now: () => t * 1000 }, SETTINGS, { vcenter: 'vc1', snapshotTime: t, records: [vm('vm-a', { creationTime: utc('2026-03-29T00:00:00Z') })] });
      assert.deepEqual(await lifecycle('vm-a'), [created, 0]);

      // The same value again changes nothing and audits nothing.
      const again = await runImportVm(ctx(), base({ creationTime: created }));
      assert.equal(!again.skipped && again.changed, false);
      assert.equal((await audits()).length, 1);
    });

    it('corrects a deletion time within the window the snapshots allow', async () => {
      assert.deepEqual(await lifecycle('vm-b'), [utc('2026-03-01T00:00:00Z'), B_GONE]);
      const deleted = B_GONE - 1800;
      const result = await runImportVm(ctx(), base({ vmId: 'vm-b', deletionTime: deleted, user: 'anonymous', reason: 'VmRemovedEvent lost' }));
      assert.ok(!result.skipped && result.changed);
      assert.deepEqual(await lifecycle('vm-b'), [utc('2026-03-01T00:00:00Z'), deleted]);
      assert.deepEqual(!result.skipped && result.staleDays, { first: '2026-03-30', last: '2026-03-31' });
    });

    it('makes the summaries that carried the old values stale for repair, which rebuilds them with the new ones', async () => {
      const first = await runRepair(ctx(), SETTINGS, { engine: 'app', lockWaitSeconds: 0, from: START, to: utc('2026-04-01T00:00:00Z') });
      assert.ok(!first.skipped);
      const created = utc('2026-01-02T03:04:05Z');
      const result = await runImportVm(ctx(), base({ creationTime: created }));
      assert.ok(!result.skipped && result.changed);
      const second = await runRepair(ctx(), SETTINGS, { engine: 'app', lockWaitSeconds: 0, from: START, to: utc('2026-04-01T00:00:00Z') });
      assert.ok(!second.skipped);
      const daily = second.actions.filter((a) => a.kind === 'daily');
      assert.deepEqual(
        daily.map((a) => [a.period, a.reason, a.detail, a.result]),
        ['2026-03-30', '2026-03-31', '2026-04-01'].map((d) => [d, 'stale', "a VM's creation or deletion time was corrected (import-vm) after the summary", 'ok']),
      );
      // March was aggregated by the first repair; its re-aggregated days make it stale again.
      assert.deepEqual(second.actions.filter((a) => a.kind === 'monthly').map((a) => [a.period, a.result]), [['2026-03', 'ok']]);
      const rollup = await store.all<{ creation_time: number }>(sql`
        SELECT r.creation_time FROM vm_daily_rollup r JOIN vm_lifecycle l ON l.id = r.lifecycle_id WHERE l.vm_id = 'vm-a' ORDER BY r.day`);
      assert.deepEqual(rollup.map((r) => Number(r.creation_time)), [created, created, created]);
      const monthly = await store.all<{ creation_time: number }>(sql`
        SELECT m.creation_time FROM vm_monthly_summary m JOIN vm_lifecycle l ON l.id = m.lifecycle_id WHERE l.vm_id = 'vm-a'`);
      assert.deepEqual(monthly.map((r) => Number(r.creation_time)), [created]);
      // Repaired: nothing stale any more.
      const third = await runRepair(ctx(), SETTINGS, { engine: 'app', lockWaitSeconds: 0, from: START, to: utc('2026-04-01T00:00:00Z') });
      assert.ok(!third.skipped);
      assert.deepEqual(third.actions, []);
    });

    it('is refused, not waited for, while another run holds the aggregation lock', async () => {
      const auditsBefore = (await audits()).length;
      const held = await withJobLock(ctx(), 'aggregate', 0, () => runImportVm(ctx(), base({ creationTime: utc('2026-01-01T00:00:00Z') })));
      assert.ok(held.acquired);
      assert.equal(held.result.skipped, true);
      assert.equal((await audits()).length, auditsBefore);
      assert.equal((await runs()).at(-1), 'skipped');
    });
  });
}
