// `/vcenters/totals/daily` (long-range trends, prorated per day) and `/vcenters/totals/hourly`
// (every snapshot of the last 45 days at most): per vCenter, charts of the VM counts, vCPU, RAM,
// disk and the tier VM counts over time, then the table of the same numbers (`vctp totals --wide`).
import { z } from '@hono/zod-openapi';
import { readTotals, type TotalsReport, type TotalsRow } from '../../queries/totals.js';
import { page } from '../operation.js';
import { lineChart, type ChartSeries } from './chart.js';
import { amount, anchorId, chartGrid, queryString, table, tierCounts, type Column } from './components.js';
import { count, fixed, formatDate, formatTime } from './format.js';
import { h, type Html } from './html.js';
import { layout } from './layout.js';
import { MEASURE_COLOURS, TIER_STYLES } from './tiers.js';

/** The spec's "Hourly Detail 45d": the hourly page shows at most the last 45 days. */
export const HOURLY_MAX_DAYS = 45;
export const DAILY_DEFAULT_DAYS = 90;
/** Ten years of days: more than any retention keeps. */
export const DAILY_MAX_DAYS = 3660;

const DAY = 86_400;

/** An empty form field is the same as none. */
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

function totalsQuery(defaultDays: number, maxDays: number) {
  return z.object({
    days: z.preprocess(blankIsAbsent, z.coerce.number().int().min(1).max(maxDays).default(defaultDays)),
    vcenter: z.preprocess(blankIsAbsent, z.string().max(256).optional()),
  });
}

interface ViewSpec {
  view: 'daily' | 'hourly';
  path: string;
  title: string;
  defaultDays: number;
  maxDays: number;
}

const DAILY: ViewSpec = { view: 'daily', path: '/vcenters/totals/daily', title: 'Daily totals', defaultDays: DAILY_DEFAULT_DAYS, maxDays: DAILY_MAX_DAYS };
const HOURLY: ViewSpec = { view: 'hourly', path: '/vcenters/totals/hourly', title: 'Hourly totals', defaultDays: HOURLY_MAX_DAYS, maxDays: HOURLY_MAX_DAYS };

export const dailyTotalsPage = totalsPage(DAILY);
export const hourlyTotalsPage = totalsPage(HOURLY);

function totalsPage(spec: ViewSpec) {
  return page({
    title: spec.title,
    query: totalsQuery(spec.defaultDays, spec.maxDays),
    async render({ query, deps }) {
      const report = await readTotals(deps.query, { view: spec.view, days: query.days, ...(query.vcenter ? { vcenters: [query.vcenter] } : {}) });
      // A step longer than one and a half cadences is a missed snapshot (or day): the line breaks there.
      const maxGap = spec.view === 'daily' ? 1.5 * DAY : 1.5 * deps.settings.vcenter_inventory_snapshot_seconds;
      const vcenters = [...new Set(report.rows.map((r) => r.vcenter))];
      const sections = vcenters.map((vcenter) => section(spec, vcenter, report.rows.filter((r) => r.vcenter === vcenter), maxGap));
      const body = h`${intro(spec, report, query.vcenter)}${form(spec, query.days, query.vcenter)}${
        vcenters.length > 1 ? h`<nav aria-label="vCenters"><ul class="sections-nav">${vcenters.map((v) => h`<li><a href="#${anchorId('totals', v)}">${v}</a></li>`)}</ul></nav>` : ''
      }${report.rows.length === 0 ? empty(spec, report) : sections}`;
      return layout({ title: spec.title, active: spec.path, body });
    },
  });
}

function intro(spec: ViewSpec, report: TotalsReport, vcenter: string | undefined): Html {
  const what =
    spec.view === 'daily'
      ? 'Each day prorated: a VM present for half the day counts 0.5, and its vCPU, RAM and disk likewise.'
      : 'Every snapshot: the VMs, sizes and tiers each one captured.';
  const other = spec.view === 'daily' ? HOURLY : DAILY;
  return h`<p class="lede">${what} Since ${formatTime(report.since)}${vcenter ? h`, vCenter ${vcenter} (<a href="${spec.path}${queryString({ days: report.days })}">all vCenters</a>)` : ''}. Sizes and tier counts are of charged VMs. See also <a href="${other.path}${queryString({ vcenter })}">${other.title.toLowerCase()}</a>.</p>`;
}

function form(spec: ViewSpec, days: number, vcenter: string | undefined): Html {
  return h`<form class="inline" method="get" action="${spec.path}">
<label>Days (1 to ${spec.maxDays})<input type="number" name="days" min="1" max="${spec.maxDays}" value="${days}" required></label>
<label>vCenter (empty: all)<input type="text" name="vcenter" value="${vcenter ?? ''}" maxlength="256"></label>
<button type="submit">Show</button>
</form>`;
}

function empty(spec: ViewSpec, report: TotalsReport): Html {
  const hint = spec.view === 'hourly' ? 'vctp snapshot' : 'vctp aggregate daily';
  return h`<p class="notice">No ${spec.view} totals since ${formatTime(report.since)}. They are written by <code>${hint}</code>, or rebuilt by <code>vctp backfill</code>.</p>`;
}

function section(spec: ViewSpec, vcenter: string, rows: readonly TotalsRow[], maxGap: number): Html {
  const id = anchorId('totals', vcenter);
  const points = (value: (r: TotalsRow) => number) => rows.map((r) => ({ x: r.time, y: value(r) }));
  const xKind = spec.view === 'daily' ? 'day' : 'time';
  const digits = spec.view === 'daily' ? 2 : 1;
  // Snapshot counts are whole; prorated daily ones are not.
  const integer = spec.view === 'hourly';
  const one = (key: string, title: string, unit: string, colour: string, value: (r: TotalsRow) => number) =>
    lineChart({ id: `${id}-${key}`, title, unit, xKind, maxGap, digits, integer: integer && key === 'vcpu', series: [{ name: title, colour, points: points(value) }] });
  const tiers: ChartSeries[] = TIER_STYLES.map((s) => ({ name: s.label, colour: s.colour, dash: s.dash, points: points((r) => tierCounts(r.totals)[s.key]) }));
  const charts = [
    lineChart({
      id: `${id}-vms`,
      title: `VMs, ${vcenter}`,
      unit: 'VMs',
      xKind,
      maxGap,
      digits,
      integer,
      series: [
        { name: 'All VMs', colour: MEASURE_COLOURS.vms, width: 5, points: points((r) => r.totals.vmCount) },
        { name: 'Charged', colour: MEASURE_COLOURS.charged, dash: '6 3', points: points((r) => r.totals.chargeableVmCount) },
      ],
    }),
    lineChart({ id: `${id}-tiers`, title: 'Charged VMs by tier', unit: 'VMs', xKind, maxGap, digits, integer, series: tiers }),
    one('vcpu', 'vCPU', 'vCPU', MEASURE_COLOURS.vcpu, (r) => r.totals.vcpuTotal),
    one('ram', 'RAM', 'GB', MEASURE_COLOURS.ram, (r) => r.totals.ramGbTotal),
    one('disk', 'Provisioned disk', 'GB', MEASURE_COLOURS.disk, (r) => r.totals.diskGbTotal),
  ];
  const columns: Column<TotalsRow>[] = [
    { head: spec.view === 'daily' ? 'Day' : 'Snapshot (UTC)', cell: (r) => (spec.view === 'daily' ? formatDate(r.time) : formatTime(r.time)) },
    { head: 'VMs', num: true, cell: (r) => amount(r.totals.vmCount) },
    { head: 'Charged', num: true, cell: (r) => amount(r.totals.chargeableVmCount) },
    { head: 'vCPU', num: true, cell: (r) => amount(r.totals.vcpuTotal) },
    { head: 'RAM GB', num: true, cell: (r) => fixed(r.totals.ramGbTotal, 1) },
    { head: 'Disk GB', num: true, cell: (r) => fixed(r.totals.diskGbTotal, 1) },
    ...TIER_STYLES.map((s): Column<TotalsRow> => ({ head: s.label, num: true, cell: (r) => amount(tierCounts(r.totals)[s.key]) })),
    { head: 'Templates', num: true, cell: (r) => amount(r.totals.templateCount) },
    { head: 'SRM', num: true, cell: (r) => amount(r.totals.srmPlaceholderCount) },
    { head: 'Node-charged', num: true, cell: (r) => amount(r.totals.nodeChargeVmCount) },
  ];
  if (spec.view === 'daily') {
    columns.push({
      head: 'Snapshots',
      num: true,
      cell: (r) => (!r.samples ? '-' : r.samples.missing > 0 ? `${count(r.samples.present)}/${count(r.samples.expected)} (${count(r.samples.missing)} missed)` : `${count(r.samples.present)}/${count(r.samples.expected)}`),
      cellClass: (r) => ((r.samples?.missing ?? 0) > 0 ? 'changed' : undefined),
    });
  }
  const newestFirst = [...rows].reverse();
  const flagged = rows.filter((r) => (r.samples?.missing ?? 0) > 0).length;
  return h`<section aria-labelledby="${id}">
<h2 id="${id}">${vcenter}</h2>
${flagged > 0 ? h`<p class="notice">${count(flagged)} of ${count(rows.length)} days missed snapshots: their averages cover only the snapshots taken.</p>` : ''}
${chartGrid(charts)}
${table(`${vcenter}, ${spec.view} totals (newest first, ${count(rows.length)} ${spec.view === 'daily' ? 'days' : 'snapshots'})`, columns, newestFirst, { tall: true })}
</section>`;
}
