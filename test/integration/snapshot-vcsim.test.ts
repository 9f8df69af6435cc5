// `vctp snapshot` against two real simulators, on SQLite and PostgreSQL: counts, fields, changes
// between snapshots, lifecycle, paging, and the failure paths (cut connection, wrong password,
// untrusted certificate) leaving stored data exactly as it was.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { runSnapshot, type SnapshotSettings, type VcenterOutcome } from '../../src/jobs/snapshot.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/executor.js';
import { collectInventory, VimSession, vcenterName } from '../../src/vcenter/index.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';
import { createVm, destroy, findVmByName, powerOff, reconfigure, relocateToPool } from '../helpers/vcsim-api.js';

const USER = 'vctp-test';
const PASSWORD = 'S3cret&<pass>';

interface HourlyRow {
  vcenter: string;
  vm_id: string;
  name: string;
  snapshot_time: number;
  vm_uuid: string | null;
  instance_uuid: string | null;
  resource_pool: string | null;
  tier: string | null;
  datacenter: string | null;
  cluster: string | null;
  folder: string | null;
  provisioned_disk: number;
  vcpu_count: number;
  ram_gb: number;
  is_template: number;
  powered_on: number;
  srm_placeholder: number;
  creation_time: number;
  deletion_time: number;
}

async function hourlyRows(store: Store, where = sql`1 = 1`): Promise<HourlyRow[]> {
  const rows = await store.all<HourlyRow>(sql`SELECT * FROM vm_hourly_stats WHERE ${where} ORDER BY vcenter, snapshot_time, vm_id`);
  return rows.map((r) => ({
    ...r,
    snapshot_time: Number(r.snapshot_time),
    creation_time: Number(r.creation_time),
    deletion_time: Number(r.deletion_time),
    provisioned_disk: Number(r.provisioned_disk),
    ram_gb: Number(r.ram_gb),
    vcpu_count: Number(r.vcpu_count),
    is_template: Number(r.is_template),
    powered_on: Number(r.powered_on),
    srm_placeholder: Number(r.srm_placeholder),
  }));
}

/** Everything stored about one vCenter, to prove a failed capture changed none of it. */
async function vcenterState(store: Store, vcenter: string): Promise<unknown> {
  const id = sql`(SELECT id FROM vcenters WHERE name = ${vcenter})`;
  return {
    spans: await store.all(sql`SELECT * FROM vm_spans WHERE vcenter_id = ${id} ORDER BY id`),
    lifecycle: await store.all(sql`SELECT * FROM vm_lifecycle WHERE vcenter_id = ${id} ORDER BY id`),
    registry: await store.all(sql`SELECT * FROM snapshot_registry WHERE vcenter_id = ${id} ORDER BY id`),
    latest: await store.all(sql`SELECT * FROM vcenter_latest_totals WHERE vcenter_id = ${id}`),
    totals: await store.all(sql`SELECT * FROM vcenter_aggregate_totals WHERE vcenter_id = ${id} ORDER BY snapshot_time`),
  };
}

const byVcenter = (outcomes: VcenterOutcome[], name: string) => outcomes.find((o) => o.vcenter === name)!;
const T1 = 1_776_762_000; // 2026-04-21T09:00:00Z
const H = 3600;

// Each engine gets its own pair of simulators: the tests change the inventory.
async function startPair(): Promise<{ simA: Vcsim; simB: Vcsim; caBundle: string; settings: SnapshotSettings }> {
  const dir = mkdtempSync(join(tmpdir(), 'vctp-snap-'));
  const [simA, simB] = await Promise.all([
    startVcsim({ dc: 1, cluster: 2, host: 2, vm: 12, seed: 1, pageSize: 10, certDir: join(dir, 'a'), username: USER, password: PASSWORD }),
    startVcsim({ dc: 2, cluster: 1, host: 1, vm: 9, seed: 2, pageSize: 7, certDir: join(dir, 'b'), username: USER, password: PASSWORD }),
  ]);
  // One vcenter_ca_file serves every vCenter: a bundle of both simulators' CAs.
  const caBundle = join(dir, 'ca-bundle.pem');
  writeFileSync(caBundle, readFileSync(simA.caFile!, 'utf8') + readFileSync(simB.caFile!, 'utf8'));
  const settings: SnapshotSettings = {
    vcenter_addresses: [simA.url, simB.url],
    vcenter_username: USER,
    vcenter_insecure: false,
    vcenter_ca_file: caBundle,
    hourly_snapshot_concurrency: 0,
    hourly_snapshot_retry_seconds: 0,
    hourly_snapshot_max_retries: 0,
    lock_wait_seconds: 5,
    vcenter_inventory_snapshot_seconds: 3600,
    tier_patterns: DEFAULT_TIER_PATTERNS,
    tenants_to_filter: [],
    node_charge_clusters: [],
    srm_activeactive_vms: [],
  };
  return { simA, simB, caBundle, settings };
}

describe('snapshot against the simulator', () => {
  for (const engine of ENGINES) {
    describe(engine, () => {
      let db: TestDatabase;
      let store: Store;
      let nameA: string;
      let nameB: string;
      let simA: Vcsim;
      let simB: Vcsim;
      let caBundle: string;
      let settings: SnapshotSettings;
      const changed: Record<string, string> = {};

      before(async () => {
        ({ simA, simB, caBundle, settings } = await startPair());
        db = await createTestDatabase(engine);
        store = await db.open();
        nameA = vcenterName(simA.url);
        nameB = vcenterName(simB.url);
      });
      after(async () => {
        await store?.close();
        await db?.drop();
        await Promise.all([simA?.stop(), simB?.stop()]);
      });

      it('captures both vCenters with one row per simulated VM', async () => {
        const result = await runSnapshot(testContext(store), settings, { at: T1, password: PASSWORD });
        assert.equal(result.skipped, false);
        if (result.skipped) return;
        assert.deepEqual(result.outcomes.map((o) => [o.vcenter, o.ok, o.error]), [
          [nameA, true, undefined],
          [nameB, true, undefined],
        ]);
        const rows = await hourlyRows(store);
        assert.equal(rows.filter((r) => r.vcenter === nameA).length, simA.info.vms);
        assert.equal(rows.filter((r) => r.vcenter === nameB).length, simB.info.vms);
        // simB serves pages of 7 whatever is asked: each VM exactly once.
        assert.equal(new Set(rows.filter((r) => r.vcenter === nameB).map((r) => r.vm_id)).size, simB.info.vms);
      });

      it('stores every hourly field as collected from vCenter', async () => {
        const session = await VimSession.login({ url: simA.url, username: USER, password: PASSWORD, insecure: false, caFile: caBundle }, silentLogger());
        let records;
        try {
          records = await collectInventory(session);
        } finally {
          await session.logout();
        }
        const rows = new Map((await hourlyRows(store, sql`vcenter = ${nameA}`)).map((r) => [r.vm_id, r]));
        assert.equal(rows.size, records.length);
        for (const vm of records) {
          const row = rows.get(vm.vmId)!;
          assert.deepEqual(
            {
              name: row.name,
              vm_uuid: row.vm_uuid,
              instance_uuid: row.instance_uuid,
              resource_pool: row.resource_pool,
              datacenter: row.datacenter,
              cluster: row.cluster,
              folder: row.folder,
              provisioned_disk: row.provisioned_disk,
              vcpu_count: row.vcpu_count,
              ram_gb: row.ram_gb,
              is_template: row.is_template,
              powered_on: row.powered_on,
              srm_placeholder: row.srm_placeholder,
              creation_time: row.creation_time,
            },
            {
              name: vm.name,
              vm_uuid: vm.vmUuid,
              instance_uuid: vm.instanceUuid,
              resource_pool: vm.resourcePool,
              datacenter: vm.datacenter,
              cluster: vm.cluster,
              folder: vm.folder,
              provisioned_disk: vm.provisionedDiskGb,
              vcpu_count: vm.vcpuCount,
              ram_gb: vm.ramGb,
              is_template: vm.isTemplate ? 1 : 0,
              powered_on: vm.poweredOn ? 1 : 0,
              srm_placeholder: vm.srmPlaceholder ? 1 : 0,
              // A creation time after the first snapshot that saw the VM (here: real event times
              // against a simulated --at hour) is clamped to that snapshot.
              creation_time: Math.min(vm.creationTime, T1),
            },
            vm.vmId,
          );
        }
        const all = [...rows.values()];
        assert.equal(all.filter((r) => r.is_template === 1).length, simA.info.templates);
        assert.equal(all.filter((r) => r.srm_placeholder === 1).length, simA.info.srm_placeholders);
        for (const tier of ['tin', 'bronze', 'silver', 'gold']) assert.ok(all.some((r) => r.tier === tier), `some VM in ${tier}`);
        assert.ok(all.some((r) => r.tier === null && r.resource_pool === 'Resources'));
        assert.ok(all.every((r) => r.vm_uuid && r.datacenter === 'DC0' && r.folder?.startsWith('/DC0/vm')));
        assert.ok(all.filter((r) => r.creation_time > 0).length > all.length / 2);
      });

      it('shows old values before a change and new values after it, with deletion and creation times', async () => {
        const session = await VimSession.login({ url: simA.url, username: USER, password: PASSWORD, insecure: false, caFile: caBundle }, silentLogger());
        const rowsT1 = await hourlyRows(store, sql`vcenter = ${nameA} AND is_template = 0 AND srm_placeholder = 0`);
        const pick = (predicate: (r: HourlyRow) => boolean, used: string[]) => rowsT1.find((r) => predicate(r) && !used.includes(r.vm_id))!;
        const used: string[] = [];
        const take = (key: string, predicate: (r: HourlyRow) => boolean) => {
          const row = pick(predicate, used);
          assert.ok(row, `a VM to ${key}`);
          used.push(row.vm_id);
          changed[key] = row.vm_id;
          return row;
        };
        const resized = take('resize', (r) => r.vcpu_count !== 6);
        const moved = take('move', (r) => r.tier === 'silver');
        const stopped = take('powerOff', (r) => r.powered_on === 1);
        const destroyed = take('destroy', () => true);
        try {
          await reconfigure(session, resized.vm_id, { numCPU: 6 });
          await relocateToPool(session, moved.vm_id, (await (await import('../helpers/vcsim-api.js')).findPoolByName(session, 'Gold', moved.cluster!))!);
          await powerOff(session, stopped.vm_id);
          await destroy(session, destroyed.vm_id);
          changed.create = await createVm(session, 'vctp-new-vm', { pool: 'Tin', numCPU: 3, memoryMB: 3072 });
          assert.equal(await findVmByName(session, 'vctp-new-vm'), changed.create);
        } finally {
          await session.logout();
        }

        const result = await runSnapshot(testContext(store), settings, { at: T1 + H, password: PASSWORD });
        assert.ok(!result.skipped && result.outcomes.every((o) => o.ok));
        const at = async (vmId: string, t: number) => (await hourlyRows(store, sql`vm_id = ${vmId} AND vcenter = ${nameA} AND snapshot_time = ${t}`))[0];
        assert.equal((await at(resized.vm_id, T1))!.vcpu_count, resized.vcpu_count);
        assert.equal((await at(resized.vm_id, T1 + H))!.vcpu_count, 6);
        assert.deepEqual([(await at(moved.vm_id, T1))!.tier, (await at(moved.vm_id, T1 + H))!.tier], ['silver', 'gold']);
        assert.equal((await at(moved.vm_id, T1 + H))!.resource_pool, 'Gold');
        assert.deepEqual([(await at(stopped.vm_id, T1))!.powered_on, (await at(stopped.vm_id, T1 + H))!.powered_on], [1, 0]);
        assert.equal(await at(destroyed.vm_id, T1 + H), undefined);
        const gone = (await at(destroyed.vm_id, T1))!;
        // The removal event happened in real time, after the simulated --at hour: clamped to it.
        assert.equal(gone.deletion_time, T1 + H);
        assert.equal(await at(changed.create!, T1), undefined);
        const born = (await at(changed.create!, T1 + H))!;
        assert.ok(born.creation_time > 0);
        assert.deepEqual([born.vcpu_count, born.ram_gb, born.tier], [3, 3, 'tin']);
        assert.equal(born.deletion_time, 0);
      });

      it('leaves a vCenter whose connection is cut mid-collection exactly as it was, while the other commits', async () => {
        const before = await vcenterState(store, nameA);
        const bBefore = await hourlyRows(store, sql`vcenter = ${nameB}`);
        await simA.failNextContinue(1);
        const result = await runSnapshot(testContext(store), settings, { at: T1 + 2 * H, password: PASSWORD });
        await simA.resetFaults();
        assert.ok(!result.skipped);
        if (result.skipped) return;
        const a = byVcenter(result.outcomes, nameA);
        assert.equal(a.ok, false);
        assert.match(a.error!, new RegExp(`vCenter ${nameA.replace('.', '\\.')}.*ContinueRetrievePropertiesEx`));
        assert.equal(byVcenter(result.outcomes, nameB).ok, true);
        assert.deepEqual(await vcenterState(store, nameA), before);
        assert.equal((await hourlyRows(store, sql`vcenter = ${nameB}`)).length, bBefore.length + simB.info.vms);
        const runs = await store.all<{ status: string; error: string }>(
          sql`SELECT status, error FROM job_runs WHERE job = 'snapshot' AND vcenter = ${nameA} ORDER BY id DESC`,
        );
        assert.equal(runs[0]!.status, 'failed');
      });

      it('reports a wrong password and an untrusted certificate clearly and stores nothing', async () => {
        const before = await vcenterState(store, nameA);
        const wrong = await runSnapshot(testContext(store), settings, { at: T1 + 3 * H, password: 'Not-The-Passw0rd', only: [nameA] });
        assert.ok(!wrong.skipped);
        if (wrong.skipped) return;
        assert.match(wrong.outcomes[0]!.error!, /login failed for user vctp-test.*InvalidLogin/);
        assert.doesNotMatch(wrong.outcomes[0]!.error!, /Not-The-Passw0rd/);
        const untrusted = await runSnapshot(testContext(store), { ...settings, vcenter_ca_file: undefined }, { at: T1 + 3 * H, password: PASSWORD, only: [nameA] });
        assert.ok(!untrusted.skipped);
        if (untrusted.skipped) return;
        assert.match(untrusted.outcomes[0]!.error!, /certificate/i);
        assert.match(untrusted.outcomes[0]!.error!, /vcenter_ca_file|vcenter_insecure/);
        assert.deepEqual(await vcenterState(store, nameA), before);
      });
    });
  }
});
