// `vctp demo`, after the simulator is up and the runtime open: N days of hourly history captured
// in this process (runSnapshot with `at` per hour) while the planned changes (src/core/demo-plan.ts)
// are made on the simulator between the hours, one hour skipped; then each day aggregated, the
// month(s) so far, the daily and monthly workbooks written, and the totals read back.
import { describeChange, planDemo, type DemoChange, type DemoWindow } from '../../core/demo-plan.js';
import { VctpError } from '../../core/errors.js';
import type { VcenterLogin } from '../../core/vcenter-logins.js';
import { dayPeriod, formatDay, formatMonth, monthPeriod } from '../../core/periods.js';
import { collectInventory, VimSession, type VcenterTarget } from '../../vcenter/index.js';
import { runAggregate, type AggregateResult } from '../aggregate.js';
import type { AggregationSettings } from '../aggregation-settings.js';
import { type JobContext, unixSeconds } from '../context.js';
import { buildReport, type ReportResult, type ReportSettings } from '../report.js';
import { runSnapshot, type SnapshotSettings } from '../snapshot.js';
import { SimulatorInventory } from './apply-change.js';

export type DemoSettings = SnapshotSettings & AggregationSettings & ReportSettings;

export interface DemoInput {
  window: DemoWindow;
  seed: number;
  /** The simulator and its credentials, resolved (and the password encrypted in the file) by the runtime. */
  login: VcenterLogin;
  /** Stops the run between two steps; its reason (an InterruptedError) is what is thrown. */
  signal?: AbortSignal;
  /** One line of the demo's story (stdout). */
  say: (line: string) => void;
}

export interface DemoDay {
  day: string;
  snapshots: number;
  skipped: string[];
  changes: number;
  /** VMs (all, templates included) in the day's last snapshot. */
  vmsAtEnd: number;
  durationMs: number;
}

export interface DemoResult {
  vcenter: string;
  window: DemoWindow;
  /** VMs in the simulator before the first change: all, and those the demo may change. */
  initialVms: { all: number; changeable: number };
  days: DemoDay[];
  snapshots: number;
  changes: { total: number; byKind: Record<DemoChange['kind'], number> };
  missed: string;
  /** A VM that was resized or moved and still exists: worth a `vctp trace`. */
  example: string | null;
  /** The months the days fall in (YYYY-MM), aggregated and reported. */
  months: string[];
  reports: ReportResult[];
  timings: { captureMs: number; aggregateMs: number; reportMs: number };
}

const DAY = 86_400;

export async function runDemo(ctx: JobContext, settings: DemoSettings, input: DemoInput): Promise<DemoResult> {
  const { window, say } = input;
  const { url, username, password } = input.login;
  const target: VcenterTarget = {
    url,
    username,
    password,
    insecure: settings.vcenter_insecure,
    caFile: settings.vcenter_ca_file ?? null,
  };
  const checkAbort = (): void => {
    input.signal?.throwIfAborted();
  };

  // One session for the changes, kept open for the whole run; the snapshots log in on their own.
  const session = await VimSession.login(target, ctx.log);
  const byKind: Record<DemoChange['kind'], number> = { create: 0, destroy: 0, resize: 0, move: 0, power: 0 };
  const days: DemoDay[] = [];
  let snapshots = 0;
  let vcenter = '';
  let initialVms: DemoResult['initialVms'];
  let missed = '';
  let example: string | null = null;
  const captureStarted = ctx.now();
  try {
    const records = await collectInventory(session);
    const changeable = SimulatorInventory.changeable(records);
    initialVms = { all: records.length, changeable: changeable.length };
    const inventory = new SimulatorInventory(session, records);
    const plan = planDemo({ window, seed: input.seed, vms: changeable });
    missed = hourLabel(plan.missed);
    const survivors = new Set(plan.final.map((vm) => vm.name));
    example =
      plan.hours.flatMap((h) => h.changes).find((c) => (c.kind === 'resize' || c.kind === 'move') && survivors.has(c.vm))?.vm ?? null;
    say(
      `capturing ${window.days.length} day${window.days.length === 1 ? '' : 's'} (${window.days[0]} to ${window.days.at(-1)}, UTC) of hourly ` +
        `snapshots of ${records.length} VMs, changing the inventory in between (seed ${input.seed})`,
    );

    let day: DemoDay | undefined;
    let dayStarted = 0;
    for (const hour of plan.hours) {
      checkAbort();
      const label = formatDay(hour.time);
      if (day?.day !== label) {
        day = { day: label, snapshots: 0, skipped: [], changes: 0, vmsAtEnd: 0, durationMs: 0 };
        days.push(day);
        dayStarted = ctx.now();
      }
      for (const change of hour.changes) {
        await inventory.apply(change);
        byKind[change.kind] += 1;
        day.changes += 1;
        say(`  ${hourLabel(hour.time)}  ${describeChange(change)}`);
      }
      if (!hour.snapshot) {
        day.skipped.push(hourLabel(hour.time));
        say(`  ${hourLabel(hour.time)}  no snapshot this hour (a missed snapshot: the day's summary flags it)`);
      } else {
        // No retries: a simulator that fails once has died, and waiting would only delay saying so.
        const result = await runSnapshot(ctx, { ...settings, hourly_snapshot_max_retries: 0 }, { at: hour.time, logins: [input.login] });
        if (result.skipped) throw new VctpError('lock', `another vctp snapshot holds this database (${result.holder})`);
        const outcome = result.outcomes[0];
        if (!outcome?.ok || !outcome.summary) {
          throw new VctpError('vcenter', `snapshot at ${hourLabel(hour.time)} failed: ${outcome?.error ?? 'no outcome'}`);
        }
        vcenter = outcome.vcenter;
        snapshots += 1;
        day.snapshots += 1;
        day.vmsAtEnd = outcome.summary.vmCount;
      }
      if ((hour.time + 3600) % DAY === 0) {
        day.durationMs = ctx.now() - dayStarted;
        const skipped = day.skipped.length ? `, ${day.skipped.length} skipped` : '';
        say(`  ${label}: ${day.snapshots} snapshots${skipped}, ${day.changes} changes, ${day.vmsAtEnd} VMs at 23:00 (${seconds(day.durationMs)})`);
      }
    }
  } finally {
    await session.logout();
  }
  const captureMs = ctx.now() - captureStarted;

  // Each complete day, then every month the days fall in (--partial for one still running).
  checkAbort();
  const aggregateStarted = ctx.now();
  const now = unixSeconds(ctx.now());
  const months = [...new Set(window.days.map((d) => formatMonth(dayPeriod(d).start)))];
  for (const day of window.days) {
    expectAggregated(await runAggregate(ctx, settings, aggregateInput(settings, 'daily', day, false)), `daily ${day}`);
  }
  for (const month of months) {
    expectAggregated(await runAggregate(ctx, settings, aggregateInput(settings, 'monthly', month, monthPeriod(month).end > now)), `monthly ${month}`);
  }
  const aggregateMs = ctx.now() - aggregateStarted;

  checkAbort();
  const reportStarted = ctx.now();
  const reports: ReportResult[] = [];
  for (const day of window.days) reports.push(await buildReport(ctx, settings, { kind: 'daily', period: dayPeriod(day) }));
  for (const month of months) reports.push(await buildReport(ctx, settings, { kind: 'monthly', period: monthPeriod(month) }));
  const reportMs = ctx.now() - reportStarted;

  return {
    vcenter,
    window,
    initialVms: initialVms!,
    days,
    snapshots,
    changes: { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind },
    missed,
    example,
    months,
    reports,
    timings: { captureMs, aggregateMs, reportMs },
  };
}

function aggregateInput(settings: DemoSettings, kind: 'daily' | 'monthly', period: string, partial: boolean) {
  return { kind, period, engine: settings.scheduled_aggregation_engine, partial, lockWaitSeconds: settings.lock_wait_seconds };
}

function expectAggregated(result: AggregateResult, what: string): void {
  if (result.skipped) throw new VctpError('lock', `another vctp aggregation holds this database (${result.holder})`);
  const failed = result.outcomes.filter((o) => !o.ok);
  if (result.outcomes.length === 0 || failed.length > 0) {
    throw new VctpError('internal', `${what} aggregation failed: ${failed.map((f) => ('error' in f ? f.error : '')).join('; ') || 'no vCenter'}`);
  }
}

const hourLabel = (time: number): string => new Date(time * 1000).toISOString().slice(0, 16).replace('T', ' ');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
