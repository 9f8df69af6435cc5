// Changes the simulator's inventory between the demo's hourly snapshots, the way an operator
// would in vCenter, through the vim25 API (the same helpers the integration tests use), and
// prints one line per change so the demo's viewer knows what the next snapshot should show.
//
// Usage: tsx scripts/demo/change-inventory.ts <vcsim.json> <step>
//   vcsim.json: the JSON line the simulator printed (url, username, password, ca_file)
//   step: 1, 2 or 3 (after the first, second, third hourly snapshot)
import { readFileSync } from 'node:fs';
import { silentLogger } from '../../src/log/logger.js';
import { MoRef, retrieveProperties, VimSession } from '../../src/vcenter/index.js';
import { asNumber, asString } from '../../src/vcenter/vim-values.js';
import { createVm, destroy, findPoolByName, findVmByName, powerOff, reconfigure, relocateToPool } from '../../test/helpers/vcsim-api.js';
import { DEMO_VMS } from './plan.js';

interface VcsimInfo {
  url: string;
  username: string;
  password: string;
  ca_file?: string;
}

async function vmId(session: VimSession, name: string): Promise<string> {
  const id = await findVmByName(session, name);
  if (!id) throw new Error(`the simulator has no VM named ${name}`);
  return id;
}

async function pool(session: VimSession, name: string, cluster: string): Promise<MoRef> {
  const ref = await findPoolByName(session, name, cluster);
  if (!ref) throw new Error(`the simulator has no resource pool ${name} in ${cluster}`);
  return ref;
}

/** The VM's properties the changes touch, to print "before -> after". */
async function vmState(session: VimSession, id: string): Promise<{ numCPU: number; memoryMB: number; power: string; pool: string }> {
  const [vm] = await retrieveProperties(session, [new MoRef('VirtualMachine', id)], 'VirtualMachine', [
    'config.hardware.numCPU',
    'config.hardware.memoryMB',
    'runtime.powerState',
    'resourcePool',
  ]);
  const poolRef = vm?.props['resourcePool'];
  const [poolContent] = poolRef instanceof MoRef ? await retrieveProperties(session, [poolRef], 'ResourcePool', ['name']) : [];
  return {
    numCPU: asNumber(vm?.props['config.hardware.numCPU']) ?? 0,
    memoryMB: asNumber(vm?.props['config.hardware.memoryMB']) ?? 0,
    power: asString(vm?.props['runtime.powerState']) ?? '?',
    pool: asString(poolContent?.props['name']) ?? '-',
  };
}

const size = (s: { numCPU: number; memoryMB: number }) => `${s.numCPU} vCPU / ${s.memoryMB / 1024} GB`;

const steps: Record<string, (session: VimSession) => Promise<void>> = {
  async 1(session) {
    const off = await vmId(session, DEMO_VMS.powerOff);
    const before = await vmState(session, off);
    await powerOff(session, off);
    console.log(`  powered off ${DEMO_VMS.powerOff} (${before.pool} pool; was ${before.power})`);

    const resized = await vmId(session, DEMO_VMS.resize);
    const old = await vmState(session, resized);
    const target = { numCPU: old.numCPU * 2, memoryMB: old.memoryMB * 2 };
    await reconfigure(session, resized, target);
    console.log(`  resized ${DEMO_VMS.resize}: ${size(old)} -> ${size(target)}`);
  },
  async 2(session) {
    const { vm, cluster, to } = DEMO_VMS.move;
    const moved = await vmId(session, vm);
    const before = await vmState(session, moved);
    await relocateToPool(session, moved, await pool(session, to, cluster));
    console.log(`  moved ${vm}: ${before.pool} -> ${to} pool`);

    await destroy(session, await vmId(session, DEMO_VMS.destroy));
    console.log(`  destroyed ${DEMO_VMS.destroy}`);
  },
  async 3(session) {
    const { vm, cluster, pool: poolName, numCPU, memoryMB } = DEMO_VMS.create;
    await createVm(session, vm, { pool: await pool(session, poolName, cluster), numCPU, memoryMB, powerOn: true });
    console.log(`  created ${vm} in ${cluster}'s ${poolName} pool (${size({ numCPU, memoryMB })}, powered on)`);
  },
};

async function main(): Promise<void> {
  const [infoFile, step] = process.argv.slice(2);
  const change = step === undefined ? undefined : steps[step];
  if (!infoFile || !change) throw new Error('usage: change-inventory.ts <vcsim.json> <1|2|3>');
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as VcsimInfo;
  const session = await VimSession.login(
    { url: info.url, username: info.username, password: info.password, insecure: false, caFile: info.ca_file ?? null },
    silentLogger(),
  );
  try {
    await change(session);
  } finally {
    await session.logout();
  }
}

main().catch((error: unknown) => {
  console.error(`change-inventory: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
