import { VctpError } from '../../core/errors.js';
import { formatDay } from '../../core/periods.js';
import { unixSeconds } from '../../jobs/context.js';
import { traceVm, type DailyTraceRow, type HourlyTraceRow, type TracedVm, type TraceResult, type TraceView, type TrackedField } from '../../queries/trace.js';
import { fixed, printJson, renderTable, stdoutOutput, type Output } from '../output.js';
import { formatTime, parseTimeFlag } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface TraceFlags {
  view?: string;
  from?: string;
  to?: string;
  vcenter?: string;
  json?: boolean;
}

const DAY = 86_400;
const DEFAULT_DAYS: Record<TraceView, number> = { hourly: 7, daily: 45 };

export async function traceCommand(globals: RuntimeOptions, vm: string, flags: TraceFlags): Promise<void> {
  const view = (flags.view ?? 'hourly') as TraceView;
  if (view !== 'hourly' && view !== 'daily') throw new VctpError('usage', `--view ${flags.view}: expected hourly or daily`);
  const result = await withRuntime(globals, async ({ ctx }) => {
    const now = unixSeconds(ctx.now());
    const to = flags.to === undefined ? now : parseBound('--to', flags.to, 'end');
    const from =
      flags.from !== undefined
        ? parseBound('--from', flags.from, 'start')
        : view === 'hourly'
          ? to - DEFAULT_DAYS.hourly * DAY
          : to - (to % DAY) - DEFAULT_DAYS.daily * DAY;
    return traceVm(ctx, { vm, view, from, to, vcenter: flags.vcenter });
  });
  print(result, flags.json ?? false);
}

/**
 * --from/--to: a day (YYYY-MM-DD: from its 00:00, or through its 23:59:59 UTC), else unix seconds
 * or an ISO 8601 time.
 */
export function parseBound(flag: string, value: string, side: 'start' | 'end'): number {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!day) return parseTimeFlag(flag, value);
  const start = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) / 1000;
  if (formatDay(start) !== value) throw new VctpError('usage', `${flag} ${value}: not a calendar date (expected YYYY-MM-DD)`);
  return side === 'start' ? start : start + DAY - 1;
}

function print(result: TraceResult, json: boolean): void {
  const out = stdoutOutput(json);
  if (json) return printJson(out, result);
  out.write(`${result.view} trace of "${result.query}" from ${formatTime(result.from)} to ${formatTime(result.to)}: ${result.vms.length} VM${result.vms.length === 1 ? '' : 's'}`);
  for (const vm of result.vms) {
    out.write('');
    printLifecycle(out, vm);
    if (vm.hourly) printHourly(out, vm.hourly);
    if (vm.daily) printDaily(out, vm.daily);
  }
  if (result.view === 'hourly' && result.vms.some((v) => v.hourly?.some((r) => r.changed.length > 0))) {
    out.write('\n* = changed since the VM\'s previous sample');
  }
}

function printLifecycle(out: Output, vm: TracedVm): void {
  const l = vm.lifecycle;
  out.write(`${vm.name ?? vm.vmId}: vCenter ${vm.vcenter}, ${vm.vmId}, inventory id ${vm.inventoryId} (matched by ${vm.matchedBy.join(', ')})`);
  out.write(`  uuid ${vm.vmUuid ?? '-'}, instance uuid ${vm.instanceUuid ?? '-'}`);
  out.write(
    `  created ${l.creationTime === 0 ? 'unknown' : formatTime(l.creationTime)}, first seen ${formatTime(l.firstSeen)}, ` +
      `last seen ${formatTime(l.lastSeen)}${l.present ? ' (present in the latest snapshot)' : ''}, ` +
      `deleted ${l.deletionTime === 0 ? '-' : formatTime(l.deletionTime)}`,
  );
}

const HOURLY_COLUMNS: [string, TrackedField, (r: HourlyTraceRow) => string][] = [
  ['name', 'name', (r) => r.name],
  ['power', 'poweredOn', (r) => (r.poweredOn ? 'on' : 'off')],
  ['vCPU', 'vcpuCount', (r) => String(r.vcpuCount)],
  ['RAM GB', 'ramGb', (r) => fixed(r.ramGb, 2)],
  ['disk GB', 'provisionedDiskGb', (r) => fixed(r.provisionedDiskGb, 2)],
  ['pool', 'resourcePool', (r) => r.resourcePool ?? '-'],
  ['tier', 'tier', (r) => tierLabel(r.tier)],
  ['cluster', 'cluster', (r) => r.cluster ?? '-'],
  ['folder', 'folder', (r) => r.folder ?? '-'],
];
const SHOWN = new Set<TrackedField>(HOURLY_COLUMNS.map(([, field]) => field));

function printHourly(out: Output, rows: HourlyTraceRow[]): void {
  if (rows.length === 0) return out.write('  no snapshots of this VM in the window');
  out.write(
    renderTable(
      ['time (UTC)', 'vCenter', ...HOURLY_COLUMNS.map(([head]) => head), 'note'],
      rows.map((r) => {
        const hidden = r.changed.filter((f) => !SHOWN.has(f));
        const notes: string[] = [...r.notes];
        if (hidden.length > 0) notes.push(`changed ${hidden.join(', ')}`);
        return [
          formatTime(r.time),
          r.vcenter,
          ...HOURLY_COLUMNS.map(([, field, show]) => `${show(r)}${r.changed.includes(field) ? '*' : ''}`),
          notes.join('; '),
        ];
      }),
    ),
  );
}

function printDaily(out: Output, rows: DailyTraceRow[]): void {
  if (rows.length === 0) return out.write('  no daily summaries of this VM in the window (see vctp aggregate daily)');
  out.write(
    renderTable(
      ['day', 'samples', 'missed', 'present', 'vCPU', 'RAM GB', 'disk GB', 'pools', 'Tin', 'Bronze', 'Silver', 'Gold'],
      rows.map((r) => [
        r.day,
        `${r.samplesPresent}/${r.totalSamples}`,
        r.missedSamples > 0 ? `${r.missedSamples} of ${r.expectedSamples}` : '',
        fixed(r.avgIsPresent, 3),
        fixed(r.avgVcpuCount, 2),
        fixed(r.avgRamGb, 2),
        fixed(r.avgProvisionedDisk, 2),
        poolShares(r) || '-',
        fixed(r.tin, 3),
        fixed(r.bronze, 3),
        fixed(r.silver, 3),
        fixed(r.gold, 3),
      ]),
    ),
  );
}

/** "Silver 75%, Gold 25%": the tiers of the VM's samples that day. */
function poolShares(r: DailyTraceRow): string {
  const shares: [string, number][] = [
    ['Tin', r.poolTinPct],
    ['Bronze', r.poolBronzePct],
    ['Silver', r.poolSilverPct],
    ['Gold', r.poolGoldPct],
  ];
  return shares
    .filter(([, pct]) => pct > 0)
    .map(([tier, pct]) => `${tier} ${fixed(pct, 1)}%`)
    .join(', ');
}

function tierLabel(tier: string | null): string {
  return tier === null ? '-' : tier.charAt(0).toUpperCase() + tier.slice(1);
}
