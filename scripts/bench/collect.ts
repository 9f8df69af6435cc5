// Measures one inventory collection from a running vCenter or simulator: wall time, client CPU
// and peak RSS. Not part of the CLI; run it by hand:
//
//   test/vcsim/vcsim -vm 1000 -cluster 5 -host 2 ... > /tmp/sim.json &
//   node --import tsx scripts/bench/collect.ts --target /tmp/sim.json [--repeat 3] [--page-size 1000]
//   node --import tsx scripts/bench/collect.ts --url https://vc/sdk --username u --password p [--insecure] [--ca-file f]
//
// --target reads the simulator's JSON ready line ({url, username, password, ca_file}).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../src/log/logger.js';
import { collectInventory } from '../../src/vcenter/inventory-collector.js';
import { VimSession, type VcenterTarget } from '../../src/vcenter/vim-session.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    url: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    insecure: { type: 'boolean', default: false },
    'ca-file': { type: 'string' },
    'page-size': { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '1' },
  },
});

function target(): VcenterTarget {
  if (values.target) {
    const line = JSON.parse(readFileSync(values.target, 'utf8')) as { url: string; username: string; password: string; ca_file?: string };
    return { url: line.url, username: line.username, password: line.password, insecure: values.insecure, caFile: line.ca_file ?? null };
  }
  if (!values.url || !values.username || values.password === undefined) throw new Error('give --target FILE or --url, --username, --password');
  return { url: values.url, username: values.username, password: values.password, insecure: values.insecure, caFile: values['ca-file'] ?? null };
}

async function main(): Promise<void> {
  const t = target();
  for (let run = 1; run <= Number(values.repeat); run++) {
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const session = await VimSession.login(t, silentLogger());
    let count = 0;
    try {
      count = (await collectInventory(session, { pageSize: Number(values['page-size']) })).length;
    } finally {
      await session.logout();
    }
    const wallMs = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    console.log(
      JSON.stringify({
        run,
        vms: count,
        wallMs: Math.round(wallMs),
        cpuUserMs: Math.round(cpu.user / 1000),
        cpuSystemMs: Math.round(cpu.system / 1000),
        peakRssMb: Math.round(maxRssMb),
      }),
    );
  }
}

await main();
