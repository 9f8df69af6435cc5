// Collection alone, for the capture benchmark (scripts/bench/capture.ts): logs in to every target
// at once (as `vctp snapshot` does with hourly_snapshot_concurrency 0), collects the inventory with
// the product's collector, logs out, and prints one JSON line with wall time, this process's CPU
// and peak RSS. No database: the difference to a full `vctp snapshot` is the diff + write part.
// The per-target body is scripts/bench/collect.ts's (login, collectInventory, logout).
// Plain JavaScript on the built code (dist/, `npm run build`), like bin/vctp, so that neither a
// TypeScript loader's time nor its memory shows in the figures.
//
//   node scripts/bench/collect-only.mjs --targets FILE [--page-size 1000]
//
// FILE: JSON array of {url, username, password, caFile?, insecure?}.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../dist/log/logger.js';
import { collectInventory, VimSession } from '../../dist/vcenter/index.js';

const { values } = parseArgs({
  options: { targets: { type: 'string' }, 'page-size': { type: 'string', default: '1000' } },
});
if (!values.targets) throw new Error('give --targets FILE');

/** @type {{url: string, username: string, password: string, caFile?: string, insecure?: boolean}[]} */
const lines = JSON.parse(readFileSync(values.targets, 'utf8'));
const targets = lines.map((t) => ({ url: t.url, username: t.username, password: t.password, insecure: t.insecure ?? false, caFile: t.caFile ?? null }));

const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const perVcenter = await Promise.all(
  targets.map(async (target) => {
    const started = performance.now();
    const session = await VimSession.login(target, silentLogger());
    try {
      const vms = (await collectInventory(session, { pageSize: Number(values['page-size']) })).length;
      return { url: target.url, vms, wallMs: Math.round(performance.now() - started) };
    } finally {
      await session.logout();
    }
  }),
);
const wallMs = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    vms: perVcenter.reduce((n, v) => n + v.vms, 0),
    wallMs: Math.round(wallMs),
    cpuUserMs: Math.round(cpu.user / 1000),
    cpuSystemMs: Math.round(cpu.system / 1000),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    perVcenter,
  }),
);
