// The vim25 client against VMware's simulator (test/vcsim): login and TLS, the inventory
// collector's counts and fields (checked against properties read independently with raw
// RetrieveProperties), paging, cleanup of views, tokens and sessions after success, failure and
// abort, events, and the test helpers that change the inventory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import type { VmRecord } from '../../src/core/inventory.js';
import { VctpError } from '../../src/core/errors.js';
import {
  collectInventory,
  findCreationEvents,
  findRemovalTimes,
  MoRef,
  VimFaultError,
  VimSession,
  vcenterName,
  waitForTask,
  type VcenterTarget,
} from '../../src/vcenter/index.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';
import * as api from '../helpers/vcsim-api.js';

const USER = 'vctp-reader';
const PASSWORD = 'S3cret&<pass>';

function silent(): Logger {
  return pino({ level: 'silent' });
}

/** A debug logger whose lines land in `lines` (parsed). */
function recordingLogger(lines: Array<Record<string, unknown>>): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

function operations(lines: Array<Record<string, unknown>>): string[] {
  return lines.filter((l) => l['msg'] === 'vim call').map((l) => String(l['operation']));
}

// ---- independent reads: hand-written RetrieveProperties, not the collector's code paths ----

async function rawProps(session: VimSession, ref: MoRef, paths: string[]): Promise<Record<string, unknown>> {
  const xml =
    '<_this type="PropertyCollector">' +
    session.serviceContent.propertyCollector.value +
    '</_this><specSet><propSet><type>' +
    ref.type +
    '</type>' +
    paths.map((p) => `<pathSet>${p}</pathSet>`).join('') +
    `</propSet><objectSet><obj type="${ref.type}">${ref.value}</obj></objectSet></specSet>`;
  const result = (await session.invoke('RetrieveProperties', xml)) as Array<{ propSet?: Array<{ name: string; val: unknown }> }>;
  const props: Record<string, unknown> = {};
  for (const p of result[0]?.propSet ?? []) props[p.name] = p.val;
  return props;
}

async function nameOf(session: VimSession, ref: unknown): Promise<string> {
  return (await rawProps(session, ref as MoRef, ['name']))['name'] as string;
}

/** Inventory path of a folder, walking `parent` by hand up to the root folder. */
async function pathOf(session: VimSession, folder: MoRef): Promise<string> {
  const names: string[] = [];
  let ref: MoRef | undefined = folder;
  while (ref && ref.value !== session.serviceContent.rootFolder.value) {
    const p = await rawProps(session, ref, ['name', 'parent']);
    names.unshift(p['name'] as string);
    ref = p['parent'] as MoRef | undefined;
  }
  return `/${names.join('/')}`;
}

describe('vim25 client against vcsim', { timeout: 180_000 }, () => {
  let sim: Vcsim;
  let certDir: string;
  let target: VcenterTarget;

  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'vctp-vcsim-certs-'));
    // Pages of 7 whatever we ask for: the collector must follow the token through many pages.
    sim = await startVcsim({ username: USER, password: PASSWORD, certDir, pageSize: 7 });
    target = { url: sim.url, username: USER, password: PASSWORD, insecure: false, caFile: sim.caFile ?? null };
  });
  after(async () => {
    await sim?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  describe('login and TLS', () => {
    it('logs in with the CA file trusted, reports the API version and the vCenter name', async () => {
      const session = await VimSession.login(target, silent());
      assert.equal(session.name, vcenterName(sim.url));
      assert.match(session.name, /^127\.0\.0\.1:\d+$/);
      assert.match(session.apiVersion, /^\d+\.\d+/);
      await session.logout();
      await session.logout(); // idempotent
    });

    it('turns a wrong password into a clear InvalidLogin error without the password', async () => {
      await assert.rejects(VimSession.login({ ...target, password: 'wrong-password' }, silent()), (error: unknown) => {
        assert.ok(error instanceof VimFaultError);
        assert.equal(error.code, 'vcenter');
        assert.equal(error.faultName, 'InvalidLogin');
        assert.equal(error.operation, 'Login');
        assert.equal(error.vcenter, vcenterName(sim.url));
        assert.match(error.message, new RegExp(`^vCenter ${vcenterName(sim.url)}: login failed for user ${USER} \\(InvalidLogin`));
        assert.ok(!error.message.includes('wrong-password'));
        return true;
      });
    });

    it('refuses an untrusted certificate with advice naming the settings', async () => {
      await assert.rejects(VimSession.login({ ...target, caFile: null }, silent()), (error: unknown) => {
        assert.ok(error instanceof VctpError);
        assert.equal(error.code, 'vcenter');
        assert.match(error.message, new RegExp(`^vCenter ${vcenterName(sim.url)}: TLS certificate verification failed during RetrieveServiceContent`));
        assert.match(error.message, /settings\.vcenter_ca_file/);
        assert.match(error.message, /settings\.vcenter_insecure/);
        return true;
      });
    });

    it('skips verification when insecure', async () => {
      const session = await VimSession.login({ ...target, caFile: null, insecure: true }, silent());
      await session.logout();
    });

    it('reports a missing CA file as a configuration error', async () => {
      await assert.rejects(VimSession.login({ ...target, caFile: join(certDir, 'nope.pem') }, silent()), (error: unknown) => {
        assert.ok(error instanceof VctpError);
        assert.equal(error.code, 'config');
        assert.match(error.message, /cannot read CA file/);
        return true;
      });
    });
  });

  describe('collectInventory', () => {
    let session: VimSession;
    let records: VmRecord[];
    let byId: Map<string, VmRecord>;
    const progress: number[] = [];
    const lines: Array<Record<string, unknown>> = [];

    before(async () => {
      session = await VimSession.login(target, recordingLogger(lines));
      records = await collectInventory(session, { pageSize: 1000, onProgress: (n) => progress.push(n) });
      byId = new Map(records.map((r) => [r.vmId, r]));
    });
    after(async () => {
      await session?.logout();
    });

    it('returns every VM exactly once although the server pages smaller than asked', async () => {
      assert.equal(records.length, sim.info.vms);
      assert.equal(byId.size, sim.info.vms);
      assert.equal(records.filter((r) => r.isTemplate).length, sim.info.templates);
      assert.equal(records.filter((r) => r.srmPlaceholder).length, sim.info.srm_placeholders);
      // Progress after each page of at most 7, ending at the total.
      assert.ok(progress.length >= Math.ceil(sim.info.vms / 7));
      assert.equal(progress.at(-1), sim.info.vms);
      assert.ok(operations(lines).filter((o) => o === 'ContinueRetrievePropertiesEx').length >= Math.ceil(sim.info.vms / 7) - 1);
      assert.equal((await sim.stats()).open_tokens, 0);
    });

    it('destroys every view it creates', () => {
      const ops = operations(lines);
      assert.equal(ops.filter((o) => o === 'CreateContainerView').length, 2);
      assert.equal(ops.filter((o) => o === 'DestroyView').length, 2);
    });

    it('fills each field from the right property (checked against raw RetrieveProperties)', async () => {
      // One VM of each kind: cluster VM in a nested pool, root-pool VM, standalone-host VM,
      // template, SRM placeholder.
      const picks = [
        records.find((r) => r.resourcePoolChain.length === 2),
        records.find((r) => r.cluster !== null && r.resourcePool === 'Resources'),
        records.find((r) => r.cluster === null && !r.isTemplate),
        records.find((r) => r.isTemplate),
        records.find((r) => r.srmPlaceholder),
      ];
      for (const record of picks) {
        assert.ok(record, 'the simulator has a VM of each kind');
        const vm = new MoRef('VirtualMachine', record.vmId);
        const p = await rawProps(session, vm, [
          'name',
          'config.uuid',
          'config.instanceUuid',
          'config.hardware.numCPU',
          'config.hardware.memoryMB',
          'config.template',
          'config.createDate',
          'config.managedBy',
          'runtime.powerState',
          'runtime.host',
          'resourcePool',
          'parent',
          'summary.storage.committed',
          'summary.storage.uncommitted',
        ]);
        const label = `${record.vmId} ${record.name}`;
        assert.equal(record.name, p['name'], label);
        assert.equal(record.vmUuid, p['config.uuid'], label);
        assert.equal(record.instanceUuid, p['config.instanceUuid'], label);
        assert.equal(record.vcpuCount, p['config.hardware.numCPU'], label);
        assert.equal(record.ramGb, (p['config.hardware.memoryMB'] as number) / 1024, label);
        assert.equal(record.isTemplate, p['config.template'], label);
        assert.equal(record.poweredOn, p['runtime.powerState'] === 'poweredOn', label);
        const bytes = (p['summary.storage.committed'] as number) + (p['summary.storage.uncommitted'] as number);
        assert.ok(Math.abs(record.provisionedDiskGb - bytes / 2 ** 30) <= 0.005, label);
        assert.ok(record.provisionedDiskGb > 0, label);
        const managedBy = p['config.managedBy'] as { extensionKey?: string; type?: string } | undefined;
        assert.equal(record.srmPlaceholder, managedBy?.extensionKey === 'com.vmware.vcDr' && managedBy.type === 'placeholderVm', label);
        if (p['config.createDate']) {
          assert.equal(record.creationTime, Math.floor(Date.parse(p['config.createDate'] as string) / 1000), label);
          assert.equal(record.eventKey, null, label);
        }
        assert.equal(record.folder, await pathOf(session, p['parent'] as MoRef), label);
        assert.equal(record.cloudId, null, label);

        const pool = p['resourcePool'] as MoRef | undefined;
        if (record.isTemplate) {
          assert.equal(pool, undefined, label);
          assert.equal(record.resourcePool, null, label);
        } else {
          assert.equal(record.resourcePool, await nameOf(session, pool), label);
        }
        // Cluster: the host's parent when it is a cluster (templates have no pool to ask).
        const host = p['runtime.host'] as MoRef;
        const compute = (await rawProps(session, host, ['parent']))['parent'] as MoRef;
        assert.equal(record.cluster, compute.type === 'ClusterComputeResource' ? await nameOf(session, compute) : null, label);
        assert.equal(record.datacenter, record.folder?.split('/')[1], label);
      }
    });

    it('lists the pool chain nearest first without the root pool', () => {
      const nested = records.filter((r) => r.resourcePool === 'App');
      assert.ok(nested.length > 0);
      for (const r of nested) assert.deepEqual(r.resourcePoolChain, ['App', 'Gold']);
      for (const r of records.filter((r) => r.resourcePool === 'Resources')) assert.deepEqual(r.resourcePoolChain, []);
      for (const tier of ['Tin', 'Bronze', 'Silver', 'Gold']) {
        assert.ok(records.some((r) => r.resourcePool === tier && r.resourcePoolChain.join() === tier), tier);
      }
    });

    it('keeps names with XML-special and non-ASCII characters intact', () => {
      const odd = records.filter((r) => /[&<>'"é]/.test(r.name));
      assert.ok(odd.length > 0);
      assert.ok(odd.some((r) => r.name.endsWith(' (R&D)')));
    });

    it('takes creation time from config.createDate, else from the VM creation event', () => {
      const fromEvents = records.filter((r) => r.eventKey !== null);
      assert.ok(fromEvents.length > 0, 'some VMs have no createDate');
      for (const r of fromEvents) assert.ok(r.creationTime > 0);
      assert.ok(records.every((r) => r.creationTime > 0), 'with few VMs every creation event is still in the ring');
    });

    it('finds creation events for many VMs in one collector scan, beyond one page of the simulator', async () => {
      // More VMs than the per-VM query limit and than the collector's default page of 10.
      const events = await findCreationEvents(session, records.map((r) => r.vmId));
      assert.equal(events.size, records.length);
      // The simulator dates setup events at the VM's createDate (or its hidden creation time).
      for (const r of records) assert.equal(events.get(r.vmId)?.time, r.creationTime, r.vmId);
    });
  });

  describe('cleanup after failure and abort', () => {
    it('cancels the token, destroys the view and keeps the session usable when a page is dropped', async () => {
      const lines: Array<Record<string, unknown>> = [];
      const session = await VimSession.login(target, recordingLogger(lines));
      try {
        await sim.failNextContinue();
        await assert.rejects(collectInventory(session), (error: unknown) => {
          assert.ok(error instanceof VctpError);
          assert.equal(error.code, 'vcenter');
          assert.match(error.message, new RegExp(`^vCenter ${vcenterName(sim.url)}: ContinueRetrievePropertiesEx: `));
          return true;
        });
        const ops = operations(lines);
        assert.ok(ops.includes('CancelRetrievePropertiesEx'));
        assert.equal(ops.filter((o) => o === 'CreateContainerView').length, ops.filter((o) => o === 'DestroyView').length);
        assert.equal((await sim.stats()).open_tokens, 0);
        // The session survives a dropped connection: the next collection works.
        assert.equal((await collectInventory(session)).length, sim.info.vms);
      } finally {
        await sim.resetFaults();
        await session.logout();
      }
      assert.equal(operations(lines).at(-1), 'Logout');
    });

    it('stops on abort, passing the reason through, and still cleans up', async () => {
      const lines: Array<Record<string, unknown>> = [];
      const session = await VimSession.login(target, recordingLogger(lines));
      const controller = new AbortController();
      try {
        await assert.rejects(
          collectInventory(session, { signal: controller.signal, onProgress: () => controller.abort(new Error('operator stop')) }),
          /operator stop/,
        );
        const ops = operations(lines);
        assert.ok(ops.includes('CancelRetrievePropertiesEx'));
        assert.ok(ops.includes('DestroyView'));
        assert.equal((await sim.stats()).open_tokens, 0);
      } finally {
        await session.logout();
      }
    });

    it('logs the session out on the server', async () => {
      const observer = await VimSession.login(target, silent());
      try {
        const count = async (): Promise<number> =>
          ((await rawProps(observer, observer.serviceContent.sessionManager, ['sessionList']))['sessionList'] as unknown[] | undefined)?.length ?? 0;
        const before = await count();
        const session = await VimSession.login(target, silent());
        assert.equal(await count(), before + 1);
        await session.logout();
        assert.equal(await count(), before);
      } finally {
        await observer.logout();
      }
    });
  });
});

describe('events and inventory changes against vcsim', { timeout: 120_000 }, () => {
  let sim: Vcsim;
  let session: VimSession;

  before(async () => {
    sim = await startVcsim({ tls: false, cluster: 1, host: 1, standaloneHost: 0, vm: 6, createDateOnCreate: false });
    session = await VimSession.login({ url: sim.url, username: sim.username, password: sim.password, insecure: false }, silent());
  });
  after(async () => {
    await session?.logout();
    await sim?.stop();
  });

  it('sees created, resized, moved and powered-off VMs, and dates creation and removal from events', async () => {
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const gold = await api.findPoolByName(session, 'Gold');
    assert.ok(gold);
    const vmId = await api.createVm(session, 'vctp-new & <odd>', { pool: gold, numCPU: 2, memoryMB: 2048, powerOn: true });
    assert.equal(await api.findVmByName(session, 'vctp-new & <odd>'), vmId);

    let record = (await collectInventory(session)).find((r) => r.vmId === vmId);
    assert.ok(record);
    assert.equal(record.name, 'vctp-new & <odd>');
    assert.deepEqual([record.vcpuCount, record.ramGb, record.poweredOn, record.resourcePool], [2, 2, true, 'Gold']);
    // No createDate (-create-date-on-create=false): the VmCreatedEvent dates it.
    assert.ok(record.eventKey !== null);
    assert.ok(record.creationTime >= t0 && record.creationTime <= Date.now() / 1000 + 1);
    const events = await findCreationEvents(session, [vmId, 'vm-does-not-exist']);
    assert.deepEqual([...events.keys()], [vmId]);
    assert.deepEqual(events.get(vmId), { time: record.creationTime, key: record.eventKey });

    await api.reconfigure(session, vmId, { numCPU: 4, memoryMB: 6144 });
    await api.relocateToPool(session, vmId, 'Tin');
    await api.powerOff(session, vmId);
    record = (await collectInventory(session)).find((r) => r.vmId === vmId);
    assert.deepEqual([record?.vcpuCount, record?.ramGb, record?.poweredOn, record?.resourcePool], [4, 6, false, 'Tin']);

    await api.destroy(session, vmId);
    assert.equal((await collectInventory(session)).some((r) => r.vmId === vmId), false);
    const removed = await findRemovalTimes(session, [vmId, 'vm-does-not-exist'], t0);
    assert.equal(removed.size, 1);
    const when = removed.get(vmId)!;
    assert.ok(when >= t0 && when <= Date.now() / 1000 + 1);
    // Nothing removed after `since` in the future.
    assert.equal((await findRemovalTimes(session, [vmId], Math.floor(Date.now() / 1000) + 3600)).size, 0);
  });

  it('scans events in one pass when many VMs lack a creation date', async () => {
    const all = await collectInventory(session, { lookupCreationEvent: () => false });
    const ids = all.map((r) => r.vmId);
    const many = [...ids, ...Array.from({ length: 30 }, (_, i) => `vm-missing-${i}`)];
    const events = await findCreationEvents(session, many);
    for (const [id, event] of events) {
      assert.ok(ids.includes(id));
      assert.match(event.key, /^\d+$/);
    }
    assert.equal(events.size, ids.length, 'each simulator VM has its VmCreatedEvent');
  });

  it('throws a task fault as VimFaultError from waitForTask', async () => {
    const vmId = (await collectInventory(session)).find((r) => r.poweredOn)!.vmId;
    const task = (await session.invoke('PowerOnVM_Task', `<_this type="VirtualMachine">${vmId}</_this>`)) as MoRef;
    await assert.rejects(waitForTask(session, task), (error: unknown) => {
      assert.ok(error instanceof VimFaultError);
      assert.equal(error.faultName, 'InvalidPowerState');
      return true;
    });
  });
});
