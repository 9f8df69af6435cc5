import { VctpError } from '../../core/errors.js';
import { parseTimeBound } from '../../core/time-input.js';
import { unixSeconds } from '../../jobs/context.js';
import { traceWindow } from '../../queries/trace-window.js';
import { traceVm, type DailyTraceRow, type HourlyTraceRow, type TracedVm, type TraceResult, type TraceView, type TrackedField } from '../../queries/trace.js';
import { type Column, count, fixed, printJson, stdoutOutput, tierName, type Output } from '../output.js';
import { formatTime } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface TraceFlags {
  view?: string;
  from?: string;
  to?: string;
  vcenter?: string;
  json?: boolean;
  wide?: boolean;
}

export async function traceCommand(globals: RuntimeOptions, vm: string, flags: TraceFlags): Promise<void> {
  const view = (flags.view ?? 'hourly') as TraceView;
  if (view !== 'hourly' && view !== 'daily') throw new VctpError('usage', `--view ${flags.view}: expected hourly or daily`);
  const result = await withRuntime(globals, async ({ ctx }) => {
    const to = flags.to === undefined ? undefined : parseTimeBound('--to', flags.to, 'end');
    const from = flags.from === undefined ? undefined : parseTimeBound('--from', flags.from, 'start');
    return traceVm(ctx, { vm, view, ...traceWindow(view, unixSeconds(ctx.now()), from, to), vcenter: flags.vcenter });
  }, { readOnly: true });
  print(stdoutOutput({ json: flags.json, quiet: globals.quiet }), result, flags.wide ?? false);
}

function print(out: Output, result: TraceResult, wide: boolean): void {
  if (out.json) return printJson(out, result);
  out.write(`${result.view} trace of "${result.query}" from ${formatTime(result.from)} to ${formatTime(result.to)}: ${result.vms.length} VM${result.vms.length === 1 ? '' : 's'}`);
  for (const vm of result.vms) {
    out.write('');
    printLifecycle(out, vm);
    if (vm.hourly) printHourly(out, vm.hourly, wide);
    if (vm.daily) printDaily(out, vm.daily, wide);
  }
  if (result.view === 'hourly' && result.vms.some((v) => v.hourly?.some((r) => r.changed.length > 0))) {
    out.write('\n* = changed since the VM\'s previous sample');
  }
}

function printLifecycle(out: Output, vm: TracedVm): void {
  const l = vm.lifecycle;
  out.write(`${vm.name ?? vm.vmId}: vCenter ${vm.vcenter}, ${vm.vmId}, inventory id ${vm.inventoryId} (matched by ${vm.matchedBy.join(', ')})`);
  out.write(`  uuid ${vm.vmUuid ?? '-'}, instance uuid ${vm.instanceUuid ?? '-'}`);
  // 0 is "unknown" (creation) and "not deleted" (deletion) in the query; --json says null.
  out.write(
    `  created ${l.creationTime === 0 ? 'unknown' : formatTime(l.creationTime)}, first seen ${formatTime(l.firstSeen)}, ` +
      `last seen ${formatTime(l.lastSeen)}${l.present ? ' (present in the latest snapshot)' : ''}, ` +
      `deleted ${l.deletionTime === 0 ? '-' : formatTime(l.deletionTime)}`,
  );
}

interface HourlyColumn {
  head: string;
  field: TrackedField;
  show: (r: HourlyTraceRow) => string;
  numeric?: boolean;
  /** Only with --wide: fields that rarely change (a change shows in the note without it). */
  wide?: boolean;
}

const HOURLY_COLUMNS: HourlyColumn[] = [
  { head: 'name', field: 'name', show: (r) => r.name, wide: true },
  { head: 'power', field: 'poweredOn', show: (r) => (r.poweredOn ? 'on' : 'off') },
  { head: 'vCPU', field: 'vcpuCount', show: (r) => count(r.vcpuCount), numeric: true },
  { head: 'RAM GB', field: 'ramGb', show: (r) => fixed(r.ramGb, 2), numeric: true },
  { head: 'disk GB', field: 'provisionedDiskGb', show: (r) => fixed(r.provisionedDiskGb, 2), numeric: true },
  { head: 'pool', field: 'resourcePool', show: (r) => r.resourcePool ?? '-', wide: true },
  { head: 'tier', field: 'tier', show: (r) => tierName(r.tier) },
  { head: 'cluster', field: 'cluster', show: (r) => r.cluster ?? '-', wide: true },
  { head: 'folder', field: 'folder', show: (r) => r.folder ?? '-', wide: true },
];

/**
 * One row per snapshot of the VM (its vCenter is in the line above). A changed value is marked *;
 * a change in a column not shown is named in the note.
 */
function printHourly(out: Output, rows: HourlyTraceRow[], wide: boolean): void {
  if (rows.length === 0) return out.write('  no snapshots of this VM in the window');
  const columns = HOURLY_COLUMNS.filter((c) => wide || !c.wide);
  const shown = new Set<TrackedField>(columns.map((c) => c.field));
  // Numbers keep their digits aligned: unmarked cells of a column with marks end in a space.
  const marked = new Set(rows.flatMap((r) => r.changed));
  out.table(
    ['time (UTC)', ...columns.map((c): Column => ({ head: c.head, align: c.numeric ? 'right' : 'left' })), 'note'],
    rows.map((r) => {
      const hidden = r.changed.filter((f) => !shown.has(f));
      const notes: string[] = [...r.notes];
      if (hidden.length > 0) notes.push(`changed ${hidden.join(', ')}`);
      return [
        formatTime(r.time),
        ...columns.map((c) => `${c.show(r)}${r.changed.includes(c.field) ? '*' : c.numeric && marked.has(c.field) ? ' ' : ''}`),
        notes.join('; '),
      ];
    }),
  );
}

/** Default: samples, missed snapshots, averages and tier shares; --wide adds presence and the prorated tier counts. */
function printDaily(out: Output, rows: DailyTraceRow[], wide: boolean): void {
  if (rows.length === 0) return out.write('  no daily summaries of this VM in the window (see vctp aggregate daily)');
  const head = ['day', 'samples', 'missed', ...(wide ? ['present'] : []), 'vCPU', 'RAM GB', 'disk GB', 'tiers'];
  if (wide) head.push('Tin', 'Bronze', 'Silver', 'Gold');
  out.table(
    head,
    rows.map((r) => [
      r.day,
      `${count(r.samplesPresent)}/${count(r.totalSamples)}`,
      r.missedSamples === null ? '-' : r.missedSamples > 0 ? `${count(r.missedSamples)} of ${count(r.expectedSamples ?? 0)}` : '',
      ...(wide ? [fixed(r.avgIsPresent, 3)] : []),
      fixed(r.avgVcpuCount, 2),
      fixed(r.avgRamGb, 2),
      fixed(r.avgProvisionedDisk, 2),
      poolShares(r) || '-',
      ...(wide ? [fixed(r.tin, 3), fixed(r.bronze, 3), fixed(r.silver, 3), fixed(r.gold, 3)] : []),
    ]),
  );
}

/** "Silver 75.0%, Gold 25.0%": the tiers of the VM's samples that day. */
function poolShares(r: DailyTraceRow): string {
  const shares: [string, number][] = [
    [tierName('tin'), r.poolTinPct],
    [tierName('bronze'), r.poolBronzePct],
    [tierName('silver'), r.poolSilverPct],
    [tierName('gold'), r.poolGoldPct],
  ];
  return shares
    .filter(([, pct]) => pct > 0)
    .map(([tier, pct]) => `${tier} ${fixed(pct, 1)}%`)
    .join(', ');
}
