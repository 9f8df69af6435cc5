// The process test/integration/aggregation-crash.test.ts kills: aggregates the given days of one
// vCenter again and again, alternating engines, until SIGKILL. It reports on stdout (written
// synchronously, so a line is out before the next statement runs) "ready", then "start DAY ENGINE"
// before and "done DAY ENGINE" after each day's transaction.
import { writeSync } from 'node:fs';
import { dayPeriod } from '../../src/core/periods.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import type { EngineName } from '../../src/jobs/aggregation-settings.js';
import { openStore, type StoreSettings } from '../../src/store/open-store.js';
import { AGG_SETTINGS } from './aggregation-data.js';
import { testContext } from './context.js';

interface ChildArgs {
  settings: StoreSettings;
  vcenter: string;
  vcenterId: number;
  days: string[];
  engines: EngineName[];
  nowMs: number;
}

const args = JSON.parse(process.argv[2] ?? '') as ChildArgs;
const store = await openStore(args.settings, { migrate: false });
const ctx = testContext(store, args.nowMs);
writeSync(1, 'ready\n');
for (let i = 0; ; i++) {
  const day = args.days[i % args.days.length]!;
  const engine = args.engines[i % args.engines.length]!;
  writeSync(1, `start ${day} ${engine}\n`);
  await aggregateDay(ctx, AGG_SETTINGS, { period: dayPeriod(day), vcenterId: args.vcenterId, vcenter: args.vcenter, engine, partial: true });
  writeSync(1, `done ${day} ${engine}\n`);
}
