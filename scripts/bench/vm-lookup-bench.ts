// Single-request latency of the trace and search reads (src/queries/trace.ts, vm-search.ts) on an
// existing database, e.g. the fleet-L scratch databases serve-bench.ts leaves behind:
//
//   node --import tsx scripts/bench/vm-lookup-bench.ts --driver sqlite --url /tmp/ops/bench-data/fleet-l.sqlite3
//   node --import tsx scripts/bench/vm-lookup-bench.ts --driver postgres --url postgres://...
//
// Each case runs --runs times after two warm-up runs, one after another (no concurrency); the
// figures are the median and the 95th percentile in milliseconds. `--migrate` applies pending
// migrations first (otherwise the database must already have this vctp's schema). The VM, its
// managed object id and uuid default to fleet-L's app-3-00042 (vCenter 3, present all month).
import { parseArgs } from 'node:util';
import { silentLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { traceVm } from '../../src/queries/trace.js';
import { traceWindow } from '../../src/queries/trace-window.js';
import { searchVms, type VmSearchInput } from '../../src/queries/vm-search.js';
import type { QueryContext } from '../../src/queries/context.js';
import { sql } from 'drizzle-orm';

const { values } = parseArgs({
  options: {
    driver: { type: 'string', default: 'sqlite' },
    url: { type: 'string', default: '/tmp/ops/bench-data/fleet-l.sqlite3' },
    runs: { type: 'string', default: '50' },
    migrate: { type: 'boolean', default: false },
    name: { type: 'string', default: 'app-3-00042.corp.example' },
    'vm-id': { type: 'string', default: 'vm-1042' },
    vcenter: { type: 'string', default: 'vc03.bench.example' },
    uuid: { type: 'string', default: '42016750-cdde-4c22-b876-0c48e807fab4' },
    prefix: { type: 'string', default: 'app-3-0004' },
    contains: { type: 'string', default: '3-0004' },
  },
});
const driver = values.driver === 'postgres' ? 'postgres' : 'sqlite';
const runs = Number(values.runs);
const store = await openStore({ database_driver: driver, database_url: values.url! }, { migrate: values.migrate });
const latest = await store.all<{ t: unknown }>(sql`SELECT MAX(snapshot_time) AS t FROM snapshot_registry WHERE kind = 'hourly'`);
const nowSeconds = Number(latest[0]?.t);
const ctx: QueryContext = { store, log: silentLogger(), now: () => nowSeconds * 1000 };

const trace = (vm: string, view: 'hourly' | 'daily', vcenter?: string) => () =>
  traceVm(ctx, { vm, view, ...traceWindow(view, nowSeconds), vcenter }).then((r) => r.vms.length);
// `match` is passed as given: a vctp without ?match=contains ignores it (and searches substrings).
const search = (q: string, match?: string) => () =>
  searchVms(ctx, { q, limit: 50, match } as VmSearchInput).then((r) => r.vms.length);

const cases: [string, () => Promise<number>][] = [
  ['trace hourly, by name', trace(values.name!, 'hourly')],
  ['trace daily, by name', trace(values.name!, 'daily')],
  ['trace daily, by name, ?vcenter', trace(values.name!, 'daily', values.vcenter)],
  ['trace hourly, by id, ?vcenter', trace(values['vm-id']!, 'hourly', values.vcenter)],
  ['trace daily, by uuid', trace(values.uuid!, 'daily')],
  ['search prefix (a handful)', search(values.prefix!)],
  ['search prefix "a" (every VM, limit 50)', search('a')],
  ['search prefix, no match', search('zz-no-such')],
  ['search ?match=contains (a handful)', search(values.contains!, 'contains')],
  ['search ?match=contains "a" (every VM)', search('a', 'contains')],
  ['search id', search(values['vm-id']!)],
  ['search uuid', search(values.uuid!)],
];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
console.log(`${driver}: ${runs} runs per case, latest snapshot ${new Date(nowSeconds * 1000).toISOString()}`);
try {
  for (const [label, run] of cases) {
    const hits = await run();
    await run();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await run();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`${label.padEnd(42)} ${String(hits).padStart(3)} VMs  median ${pct(times, 50).toFixed(2).padStart(7)} ms  p95 ${pct(times, 95).toFixed(2).padStart(7)} ms`);
  }
} finally {
  await store.close();
}
