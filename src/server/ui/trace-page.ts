// `/vm/trace?vm=...&view=hourly|daily`: one VM over time (`vctp trace` as a page). Hourly: every
// snapshot of the VM with what changed since the one before; daily: its daily summaries (averages
// and tier shares). Without `vm`, the search form alone. A name several VMs share traces each.
import { z } from '@hono/zod-openapi';
import { isVctpError } from '../../core/errors.js';
import { formatDay, unixSeconds } from '../../core/periods.js';
import { tierName } from '../../queries/json-shape.js';
import { traceVm, type DailyTraceRow, type HourlyTraceRow, type TracedVm, type TraceResult, type TrackedField } from '../../queries/trace.js';
import { traceWindow, TRACE_DEFAULT_DAYS } from '../../queries/trace-window.js';
import { page } from '../operation.js';
import { lineChart } from './chart.js';
import { anchorId, chartGrid, swatch, table, type Column } from './components.js';
import { count, fixed, formatDate, formatTime } from './format.js';
import { h, type Html } from './html.js';
import { layout } from './layout.js';
import { MEASURE_COLOURS, TIER_STYLES, type TierKey } from './tiers.js';
import { traceForm } from './trace-form.js';

const DAY = 86_400;
const blankIsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const isCalendarDay = (value: string) => formatDay(Date.parse(`${value}T00:00:00Z`) / 1000) === value;
const dayParam = z.preprocess(
  blankIsAbsent,
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a day, YYYY-MM-DD')
    .refine(isCalendarDay, 'not a calendar date (YYYY-MM-DD)')
    .optional(),
);

const query = z.object({
  vm: z.preprocess(blankIsAbsent, z.string().max(256).optional()),
  view: z.preprocess(blankIsAbsent, z.enum(['hourly', 'daily']).default('hourly')),
  vcenter: z.preprocess(blankIsAbsent, z.string().max(256).optional()),
  from: dayParam,
  to: dayParam,
});

export const vmTracePage = page({
  title: 'VM trace',
  query,
  async render({ query: q, deps }) {
    const form = traceForm(q);
    const shell = (body: Html) => layout({ title: q.vm ? `VM trace: ${q.vm}` : 'VM trace', active: '/vm/trace', body });
    if (q.vm === undefined) {
      return shell(
        h`<p class="lede">One VM over time, by its name, managed object id (vm-42) or uuid. Hourly: every snapshot of the VM in the window (default the last ${TRACE_DEFAULT_DAYS.hourly} days), changes marked; daily: its daily summaries (default ${TRACE_DEFAULT_DAYS.daily} days).</p>${form}`,
      );
    }
    // --from is the day's 00:00, --to its last second, as `vctp trace` reads them.
    const from = q.from === undefined ? undefined : Date.parse(`${q.from}T00:00:00Z`) / 1000;
    const to = q.to === undefined ? undefined : Date.parse(`${q.to}T00:00:00Z`) / 1000 + DAY - 1;
    const window = traceWindow(q.view, unixSeconds(deps.now()), from, to);
    let result: TraceResult;
    try {
      result = await traceVm(deps.query, { vm: q.vm, view: q.view, ...window, ...(q.vcenter ? { vcenter: q.vcenter } : {}) });
    } catch (error) {
      // An unknown or too vague VM is an answer to the search, shown with the form to search again.
      if (isVctpError(error) && (error.code === 'not-found' || error.code === 'usage')) {
        return shell(h`${form}<p class="notice error" role="alert">${error.message}</p>`);
      }
      throw error;
    }
    const other = q.view === 'hourly' ? 'daily' : 'hourly';
    const otherHref = `/vm/trace?${new URLSearchParams({ vm: q.vm, view: other, ...(q.vcenter ? { vcenter: q.vcenter } : {}) }).toString()}`;
    const summary = h`<p class="lede">${q.view === 'hourly' ? 'Hourly' : 'Daily'} trace from ${formatTime(result.from)} to ${formatTime(result.to)}: ${count(result.vms.length)} VM${result.vms.length === 1 ? '' : 's'}. <a href="${otherHref}">Show the ${other} view</a>.</p>`;
    const list =
      result.vms.length > 1
        ? h`<nav aria-label="Traced VMs"><ul class="sections-nav">${result.vms.map((vm) => h`<li><a href="#${vmId(vm)}">${vm.vcenter} / ${vm.name ?? vm.vmId}</a></li>`)}</ul></nav>`
        : '';
    return shell(h`${form}${summary}${list}${result.vms.map((vm) => vmSection(vm, deps.settings.vcenter_inventory_snapshot_seconds))}`);
  },
});

const vmId = (vm: TracedVm) => anchorId('vm', `${vm.vcenter}-${vm.inventoryId}`);

function vmSection(vm: TracedVm, snapshotSeconds: number): Html {
  const id = vmId(vm);
  const l = vm.lifecycle;
  const facts = h`<dl class="facts">
<dt>vCenter</dt><dd>${vm.vcenter}</dd>
<dt>VM id</dt><dd>${vm.vmId} (inventory id ${vm.inventoryId}; matched by ${vm.matchedBy.join(', ')})</dd>
<dt>UUID</dt><dd>${vm.vmUuid ?? '-'}</dd>
<dt>Instance UUID</dt><dd>${vm.instanceUuid ?? '-'}</dd>
<dt>Created</dt><dd>${l.creationTime === 0 ? 'unknown (vCenter gave no creation time)' : formatTime(l.creationTime)}</dd>
<dt>First seen</dt><dd>${formatTime(l.firstSeen)}</dd>
<dt>Last seen</dt><dd>${formatTime(l.lastSeen)}${l.present ? ' (present in the latest snapshot)' : ''}</dd>
<dt>Deleted</dt><dd>${l.deletionTime === 0 ? '-' : formatTime(l.deletionTime)}</dd>
</dl>`;
  const detail = vm.hourly ? hourly(id, vm.hourly, snapshotSeconds) : vm.daily ? daily(id, vm.daily) : '';
  return h`<section aria-labelledby="${id}"><h2 id="${id}">${vm.name ?? vm.vmId} <span class="muted">(${vm.vcenter})</span></h2>${facts}${detail}</section>`;
}

function tierCell(tier: HourlyTraceRow['tier']): Html {
  const key: TierKey = tier ?? 'untiered';
  const style = TIER_STYLES.find((t) => t.key === key)!;
  return h`${swatch(style.colour)}${tierName(tier)}`;
}

function hourly(id: string, rows: readonly HourlyTraceRow[], snapshotSeconds: number): Html {
  if (rows.length === 0) return h`<p class="notice">No snapshot of this VM in the window.</p>`;
  const maxGap = 1.5 * snapshotSeconds;
  const series = (key: string, title: string, unit: string, colour: string, value: (r: HourlyTraceRow) => number) =>
    lineChart({ id: `${id}-${key}`, title, unit, xKind: 'time', maxGap, digits: 2, integer: key === 'vcpu', series: [{ name: title, colour, points: rows.map((r) => ({ x: r.time, y: value(r) })) }] });
  const changed = (field: TrackedField) => (r: HourlyTraceRow) => (r.changed.includes(field) ? 'changed' : undefined);
  const mark = (field: TrackedField, text: string | Html) => (r: HourlyTraceRow) => (r.changed.includes(field) ? h`${text} *` : text);
  const columns: Column<HourlyTraceRow>[] = [
    { head: 'Snapshot (UTC)', cell: (r) => formatTime(r.time) },
    { head: 'Name', cell: (r) => mark('name', r.name)(r), cellClass: changed('name') },
    { head: 'Power', cell: (r) => mark('poweredOn', r.poweredOn ? 'on' : 'off')(r), cellClass: changed('poweredOn') },
    { head: 'vCPU', num: true, cell: (r) => mark('vcpuCount', count(r.vcpuCount))(r), cellClass: changed('vcpuCount') },
    { head: 'RAM GB', num: true, cell: (r) => mark('ramGb', fixed(r.ramGb, 2))(r), cellClass: changed('ramGb') },
    { head: 'Disk GB', num: true, cell: (r) => mark('provisionedDiskGb', fixed(r.provisionedDiskGb, 2))(r), cellClass: changed('provisionedDiskGb') },
    { head: 'Tier', cell: (r) => mark('tier', tierCell(r.tier))(r), cellClass: changed('tier') },
    { head: 'Resource pool', cell: (r) => mark('resourcePool', r.resourcePool ?? '-')(r), cellClass: changed('resourcePool') },
    { head: 'Cluster', cell: (r) => mark('cluster', r.cluster ?? '-')(r), cellClass: changed('cluster') },
    { head: 'Folder', cell: (r) => mark('folder', r.folder ?? '-')(r), cellClass: changed('folder') },
    {
      head: 'Note',
      cell: (r) => {
        const shown = new Set<TrackedField>(['name', 'poweredOn', 'vcpuCount', 'ramGb', 'provisionedDiskGb', 'tier', 'resourcePool', 'cluster', 'folder']);
        const hidden = r.changed.filter((f) => !shown.has(f));
        return [...r.notes, ...(hidden.length ? [`changed ${hidden.join(', ')}`] : [])].join('; ');
      },
    },
  ];
  return h`${chartGrid([
    series('vcpu', 'vCPU', 'vCPU', MEASURE_COLOURS.vcpu, (r) => r.vcpuCount),
    series('ram', 'RAM', 'GB', MEASURE_COLOURS.ram, (r) => r.ramGb),
    series('disk', 'Provisioned disk', 'GB', MEASURE_COLOURS.disk, (r) => r.provisionedDiskGb),
  ])}
<p class="muted">A highlighted value marked * changed since the VM's previous snapshot. A gap in a line: no snapshot of the VM there (a missed snapshot, or the VM was absent).</p>
${table(`Snapshots of the VM (newest first, ${count(rows.length)})`, columns, [...rows].reverse(), { tall: true })}`;
}

function daily(id: string, rows: readonly DailyTraceRow[]): Html {
  if (rows.length === 0) return h`<p class="notice">No daily summary of this VM in the window (days are summarised by <code>vctp aggregate daily</code>).</p>`;
  const maxGap = 1.5 * DAY;
  const points = (value: (r: DailyTraceRow) => number) => rows.map((r) => ({ x: r.time, y: value(r) }));
  const one = (key: string, title: string, unit: string, colour: string, value: (r: DailyTraceRow) => number) =>
    lineChart({ id: `${id}-${key}`, title, unit, xKind: 'day', maxGap, digits: 2, series: [{ name: title, colour, points: points(value) }] });
  const pct: Record<Exclude<TierKey, 'untiered'>, (r: DailyTraceRow) => number> = {
    tin: (r) => r.poolTinPct,
    bronze: (r) => r.poolBronzePct,
    silver: (r) => r.poolSilverPct,
    gold: (r) => r.poolGoldPct,
  };
  const tiers = TIER_STYLES.filter((s) => s.key !== 'untiered').map((s) => ({
    name: s.label,
    colour: s.colour,
    dash: s.dash,
    points: points(pct[s.key as Exclude<TierKey, 'untiered'>]),
  }));
  const shares = (r: DailyTraceRow): Html[] =>
    TIER_STYLES.filter((s) => s.key !== 'untiered' && pct[s.key as Exclude<TierKey, 'untiered'>](r) > 0).map(
      (s) => h`${swatch(s.colour)}${s.label} ${fixed(pct[s.key as Exclude<TierKey, 'untiered'>](r), 1)}% `,
    );
  const columns: Column<DailyTraceRow>[] = [
    { head: 'Day', cell: (r) => formatDate(r.time) },
    { head: 'Samples', num: true, cell: (r) => `${count(r.samplesPresent)}/${count(r.totalSamples)}` },
    {
      head: 'Missed snapshots',
      num: true,
      cell: (r) => (r.missedSamples === null ? '-' : r.missedSamples > 0 ? `${count(r.missedSamples)} of ${count(r.expectedSamples ?? 0)}` : '0'),
      cellClass: (r) => ((r.missedSamples ?? 0) > 0 ? 'changed' : undefined),
    },
    { head: 'Present', num: true, cell: (r) => `${fixed(r.avgIsPresent * 100, 1)}%` },
    { head: 'Avg vCPU', num: true, cell: (r) => fixed(r.avgVcpuCount, 2) },
    { head: 'Avg RAM GB', num: true, cell: (r) => fixed(r.avgRamGb, 2) },
    { head: 'Avg disk GB', num: true, cell: (r) => fixed(r.avgProvisionedDisk, 2) },
    { head: 'Tiers (share of presence)', cell: (r) => (shares(r).length ? h`${shares(r)}` : tierCell(null)) },
    { head: 'Resource pool', cell: (r) => r.resourcePool ?? '-' },
  ];
  return h`${chartGrid([
    one('vcpu', 'Average vCPU', 'vCPU', MEASURE_COLOURS.vcpu, (r) => r.avgVcpuCount),
    one('ram', 'Average RAM', 'GB', MEASURE_COLOURS.ram, (r) => r.avgRamGb),
    one('disk', 'Average provisioned disk', 'GB', MEASURE_COLOURS.disk, (r) => r.avgProvisionedDisk),
    lineChart({ id: `${id}-tiers`, title: 'Tier share of the time present', unit: '%', xKind: 'day', maxGap, digits: 1, series: tiers }),
  ])}
${table(`Daily summaries of the VM (newest first, ${count(rows.length)})`, columns, [...rows].reverse(), { tall: true })}`;
}
