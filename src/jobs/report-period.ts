// Daily and monthly reports: the summary rows of the period (vm_daily_rollup / vm_monthly_summary)
// with their totals and Summary tables, plus the 24 hourly interval rows of a day or the daily
// totals of a month. Rows are read twice, a page at a time: once (only the columns totals need) for
// the totals and tables, which come before the VM sheet in the workbook, once to stream the VM sheet.
import { chargeRules, type ChargeRules } from '../core/charge-rules.js';
import { VctpError } from '../core/errors.js';
import { HOUR, hourlyIntervalTotals, type IntervalSpan } from '../core/hourly-intervals.js';
import { daysOf, formatDay, type Period } from '../core/periods.js';
import {
  addIntervalValues,
  dayIntervalLabel,
  emptyIntervalValues,
  hourIntervalLabel,
  intervalValuesFromGroups,
  intervalValuesFromTotals,
  type IntervalValues,
} from '../core/report-intervals.js';
import { pivotTable, placePivots, PIVOT_METRIC_NAMES, type PivotCell, type PivotPlan, type PivotTable } from '../core/report-pivots.js';
import { reportCost } from '../core/report-currency.js';
import { closedReportNote } from '../core/month-closure.js';
import { daysText, utcBoundsText } from '../core/report-period-text.js';
import { addContribution, type Breakdown, breakdownTotals, emptyBreakdown } from '../core/report-totals.js';
import type { FrontSheetModel } from '../reports/front-sheet.js';
import { DAILY_TOTALS_SHEET, HOURLY_TOTALS_SHEET, type IntervalRow, type IntervalSheetModel } from '../reports/interval-sheet.js';
import { ALL_VCENTERS } from '../reports/totals-sheet.js';
import { summaryVmSheet, vmValues } from '../reports/vm-sheet.js';
import { type CellValue, dateCell } from '../reports/workbook-stream.js';
import type { ReportDocument } from '../reports/write-report.js';
import {
  readAggregateTotals,
  readIntervalSampleTimes,
  readIntervalSpans,
  readRegistry,
  readSummaryTotalsPage,
  readSummaryVmPage,
  type RegistryEntry,
  type SummaryTotalsRow,
  type SummaryVmRow,
} from '../store/report-repository.js';
import { readClosuresIn } from '../store/month-closure-repository.js';
import type { JobContext } from './context.js';
import { ReportAllocation } from './report-allocation.js';
import { ALLOCATION_NOTES, CLASS_NOTES, classifyRow, specFieldsNote, pagesOf, type ReportSettings, totalsModel } from './report-common.js';


export interface PeriodPlan {
  period: Period;
  /** The summaries (registry rows) the report is built from, per vCenter. */
  summaries: RegistryEntry[];
}

export async function planPeriod(ctx: JobContext, period: Period, only: readonly string[]): Promise<PeriodPlan> {
  const summaries = (await readRegistry(ctx.store, [period.kind], period.start, period.start + 1)).filter(
    (e) => only.length === 0 || only.includes(e.vcenter),
  );
  if (summaries.length === 0) {
    const flag = period.kind === 'daily' ? `--date ${period.label}` : `--month ${period.label}`;
    throw new VctpError(
      'usage',
      `no ${period.kind} summaries for ${period.label}${only.length ? ` of ${only.join(', ')}` : ''}: run \`vctp aggregate ${period.kind} ${flag}\` first`,
    );
  }
  return { period, summaries };
}

export async function periodDocument(ctx: JobContext, settings: ReportSettings, plan: PeriodPlan, pivots: readonly PivotPlan[]): Promise<ReportDocument> {
  const { period } = plan;
  const rules = chargeRules(settings);
  const cost = reportCost(settings);
  const vmSheet = summaryVmSheet(cost);
  const pages = (s: RegistryEntry) =>
    pagesOf<SummaryVmRow>((after, limit) => readSummaryVmPage(ctx.store, period.kind, s.vcenterId, period.start, after, limit));

  // Pass 1: totals per vCenter and per (vCenter, cluster) for the Summary tables, and the VMs the
  // Allocation and Cost sheets group.
  const perVcenter: { vcenter: string; sums: Breakdown; totalSamples: number }[] = [];
  const cells: PivotCell[] = [];
  const allocation = new ReportAllocation();
  let vmCount = 0;
  for (const s of plan.summaries) {
    const sums = emptyBreakdown();
    const byCluster = new Map<string, Breakdown>();
    const totalsPages = pagesOf<SummaryTotalsRow>((after, limit) => readSummaryTotalsPage(ctx.store, period.kind, s.vcenterId, period.start, after, limit));
    for await (const page of totalsPages) {
      for (const r of page) {
        vmCount++;
        const contribution = { ...sumsOf(r), chargeClass: classifyRow(rules, r), money: r.money };
        addContribution(sums, contribution);
        allocation.add(s.vcenter, r);
        const cluster = r.cluster ?? '(no cluster)';
        let clusterSums = byCluster.get(cluster);
        if (!clusterSums) byCluster.set(cluster, (clusterSums = emptyBreakdown()));
        addContribution(clusterSums, contribution);
      }
    }
    const totalSamples = s.totalSamples ?? 0;
    perVcenter.push({ vcenter: s.vcenter, sums, totalSamples });
    for (const [cluster, b] of byCluster) cells.push({ vcenter: s.vcenter, cluster, totals: breakdownTotals(b, totalSamples) });
  }
  const tables = new Map<(typeof PIVOT_METRIC_NAMES)[number], PivotTable>(PIVOT_METRIC_NAMES.map((m) => [m, pivotTable(m, cells)]));
  const summary = placePivots(pivots, tables);

  const intervals = period.kind === 'daily' ? await hourlyIntervals(ctx, rules, plan) : await dailyTotals(ctx, plan);
  const { allocation: allocationSheet, costs } = await allocation.sheets(ctx.store, settings);
  const generatedAt = new Date(ctx.now());
  return {
    generatedAt,
    footer: periodTitle(period),
    front: await frontSheet(ctx, plan, vmCount, generatedAt),
    cost,
    totals: totalsModel(perVcenter, cost),
    allocation: allocationSheet,
    costs,
    intervals,
    summary,
    vmColumns: vmSheet.columns,
    vmPrinted: vmSheet.printed,
    vmPages: async function* () {
      for (const s of plan.summaries) {
        for await (const page of pages(s)) yield page.map((r) => vmValues(vmSheet.columns, r, classifyRow(rules, r)));
      }
    },
  };
}

const sumsOf = (r: SummaryTotalsRow) => ({
  samplesPresent: r.samplesPresent,
  sumVcpu: r.sumVcpu,
  sumRamMb: r.sumRamMb,
  sumDiskCentiGb: r.sumDiskCentiGb,
  tinHits: r.tinHits,
  bronzeHits: r.bronzeHits,
  silverHits: r.silverHits,
  goldHits: r.goldHits,
});

// Not yet taken, or (for an old day) removed by hourly retention: either way the row stays empty.
const NO_SNAPSHOT = 'no snapshot at or after the hour\'s end';

/** The 24 interval rows per vCenter (src/core/hourly-intervals.ts), and their sums over vCenters first. */
async function hourlyIntervals(ctx: JobContext, rules: ChargeRules, plan: PeriodPlan): Promise<IntervalSheetModel> {
  const { period } = plan;
  const blocks: IntervalRow[][] = [];
  const all = Array.from({ length: 24 }, () => ({ values: emptyIntervalValues(), snapshots: [] as number[], waiting: [] as string[] }));
  for (const s of plan.summaries) {
    const sampleTimes = await readIntervalSampleTimes(ctx.store, s.vcenterId, period.start, period.end);
    const last = sampleTimes[sampleTimes.length - 1];
    const spans = last === undefined ? [] : await readIntervalSpans(ctx.store, s.vcenterId, period.start, last);
    const lifecycle = new Map(spans.map((r) => [r.lifecycleId, { creationTime: r.creationTime, deletionTime: r.deletionTime }]));
    const intervalSpans: IntervalSpan[] = spans.map((r) => ({
      lifecycleId: r.lifecycleId,
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
      chargeClass: rules.classify(r),
      tier: r.tier,
      vcpuCount: r.vcpuCount,
      ramGb: r.ramGb,
      provisionedDiskGb: r.provisionedDiskGb,
    }));
    const rows = hourlyIntervalTotals(period.start, { sampleTimes, spans: intervalSpans, lifecycle });
    blocks.push(
      rows.map((row, k) => {
        const values = row.snapshotTime === null ? null : intervalValuesFromGroups(breakdownTotals(row.sums, 1));
        if (values) {
          addIntervalValues(all[k]!.values, values);
          all[k]!.snapshots.push(row.snapshotTime!);
        } else all[k]!.waiting.push(s.vcenter);
        return {
          label: hourIntervalLabel(row.start),
          vcenter: s.vcenter,
          from: new Date(row.start * 1000),
          to: new Date(row.end * 1000),
          source: row.snapshotTime === null ? NO_SNAPSHOT : dateCell(row.snapshotTime),
          values,
        };
      }),
    );
  }
  const allRows: IntervalRow[] = all.map((a, k) => {
    const start = period.start + k * HOUR;
    let source: CellValue = a.snapshots.length === 0 ? NO_SNAPSHOT : dateCell(Math.max(...a.snapshots));
    if (a.waiting.length > 0 && a.snapshots.length > 0) source = `incomplete: ${NO_SNAPSHOT} from ${a.waiting.join(', ')}`;
    return {
      label: hourIntervalLabel(start),
      vcenter: ALL_VCENTERS,
      from: new Date(start * 1000),
      to: new Date((start + HOUR) * 1000),
      source,
      values: a.snapshots.length === 0 ? null : a.values,
    };
  });
  return {
    sheet: HOURLY_TOTALS_SHEET,
    labelHeader: 'Interval (UTC)',
    sourceHeader: 'Snapshot used',
    sourceKind: 'date',
    rows: [...allRows, ...blocks.flat()],
    blockLength: 24,
    unit: 'hour',
  };
}

/** One row per day of the month from the daily totals (vcenter_aggregate_totals), prorated per day. */
async function dailyTotals(ctx: JobContext, plan: PeriodPlan): Promise<IntervalSheetModel> {
  const { period } = plan;
  const days = daysOf(period);
  const vcenters = plan.summaries.map((s) => s.vcenter);
  const rows = (await readAggregateTotals(ctx.store, 'daily', period.start, period.end)).filter((r) => vcenters.includes(r.vcenter));
  const byKey = new Map(rows.map((r) => [`${r.vcenter}\u0000${r.time}`, r]));
  const samples = (present: number, expected: number) => `${present} of ${expected} samples`;
  const row = (vcenter: string, day: Period, values: IntervalValues | null, source: string): IntervalRow => ({
    label: dayIntervalLabel(day.start),
    vcenter,
    from: new Date(day.start * 1000),
    to: new Date(day.end * 1000),
    source,
    values,
  });
  const allRows = days.map((day) => {
    const found = vcenters.map((v) => byKey.get(`${v}\u0000${day.start}`)).filter((r) => r !== undefined);
    if (found.length === 0) return row(ALL_VCENTERS, day, null, 'no daily summary');
    const values = emptyIntervalValues();
    for (const r of found) addIntervalValues(values, intervalValuesFromTotals(r.totals));
    const present = found.reduce((n, r) => n + (r.presentSamples ?? 0), 0);
    const expected = found.reduce((n, r) => n + (r.expectedSamples ?? 0), 0);
    const missingVcenters = vcenters.filter((v) => !byKey.has(`${v}\u0000${day.start}`));
    return row(ALL_VCENTERS, day, values, missingVcenters.length ? `incomplete: no daily summary of ${missingVcenters.join(', ')}` : samples(present, expected));
  });
  const blocks = vcenters.flatMap((v) =>
    days.map((day) => {
      const r = byKey.get(`${v}\u0000${day.start}`);
      return r ? row(v, day, intervalValuesFromTotals(r.totals), samples(r.presentSamples ?? 0, r.expectedSamples ?? 0)) : row(v, day, null, 'no daily summary');
    }),
  );
  return {
    sheet: DAILY_TOTALS_SHEET,
    labelHeader: 'Day (UTC)',
    sourceHeader: 'Samples',
    sourceKind: 'text',
    rows: [...allRows, ...blocks],
    blockLength: days.length,
    unit: 'day',
  };
}

/** `vctp monthly report 2026-10-01 to 2026-10-31`: the front sheet's title and every page's footer. */
const periodTitle = (period: Period): string => `vctp ${period.kind} report ${daysText(period.start, period.end)}`;

async function frontSheet(ctx: JobContext, plan: PeriodPlan, vmCount: number, generatedAt: Date): Promise<FrontSheetModel> {
  const { period } = plan;
  const daily = period.kind === 'daily';
  const hourly = await readRegistry(ctx.store, ['hourly'], period.start, period.end);
  const dailyRows = daily ? [] : await readRegistry(ctx.store, ['daily'], period.start, period.end);
  const sourceRows = plan.summaries.map((s) => {
    const times = hourly.filter((h) => h.vcenterId === s.vcenterId).map((h) => h.time);
    const expected = s.expectedSamples ?? 0;
    const total = s.totalSamples ?? 0;
    let gaps: string;
    if (daily) {
      const taken = new Set(times.map((t) => Math.floor((t - period.start) / HOUR)));
      const missed = [...Array(24).keys()].filter((h) => !taken.has(h)).map((h) => `${String(h).padStart(2, '0')}:00`);
      gaps = missed.length === 0 ? 'none' : missed.join(', ');
    } else {
      const summarised = new Set(dailyRows.filter((d) => d.vcenterId === s.vcenterId).map((d) => d.time));
      const missing = daysOf(period).filter((d) => !summarised.has(d.start)).map((d) => formatDay(d.start).slice(8));
      gaps = missing.length === 0 ? 'none' : `days ${missing.join(', ')}`;
    }
    return [
      s.vcenter,
      dateCell(times.length ? Math.min(...times) : null),
      dateCell(times.length ? Math.max(...times) : null),
      total,
      expected,
      Math.max(0, expected - total),
      gaps,
      s.rowCount,
      dateCell(s.createdAt),
    ] as CellValue[];
  });
  const closure = (await readClosuresIn(ctx.store, period.start, period.end))[0];
  return {
    title: periodTitle(period),
    ...(closure ? { closed: closedReportNote(closure, period.kind) } : {}),
    facts: [
      { label: 'Period (UTC days, inclusive)', value: daysText(period.start, period.end) },
      { label: 'UTC bounds', value: utcBoundsText(period.start, period.end) },
      { label: 'Generated (UTC)', value: generatedAt, kind: 'date' },
      { label: 'vCenters', value: plan.summaries.length, kind: 'count' },
      { label: 'VMs', value: vmCount, kind: 'count' },
      { label: 'Source', value: daily ? 'vm_daily_rollup (daily summaries) and the hourly snapshots' : 'vm_monthly_summary and the daily totals' },
      {
        label: 'Missed snapshots',
        value: plan.summaries.reduce((n, s) => n + Math.max(0, (s.expectedSamples ?? 0) - (s.totalSamples ?? 0)), 0),
        kind: 'count',
      },
    ],
    sources: {
      columns: [
        { header: 'vCenter', kind: 'text', width: 26 },
        { header: 'First snapshot', kind: 'date' },
        { header: 'Last snapshot', kind: 'date' },
        { header: 'Samples (TotalSamples)', kind: 'count', width: 22 },
        { header: 'Expected samples', kind: 'count', width: 18 },
        { header: 'Missed samples', kind: 'count', width: 16 },
        { header: daily ? 'Hours without a snapshot' : 'Days without a daily summary', kind: 'text', width: 30 },
        { header: 'VM rows', kind: 'count' },
        { header: 'Summary stored at', kind: 'date' },
      ],
      rows: sourceRows,
    },
    notes: [
      'Presence, Average vCPU, Average RAM (GiB) and Average provisioned disk (GiB) of a VM are time-weighted over the samples of the period (samples present / samples in period): a missed snapshot does not lower them.',
      'Tin (prorated VMs) and the other tiers = Presence x Tin (% of presence) / 100: the share of the period the VM spent in that tier; summed, the prorated VM count per tier.',
      'The Average vCPU, RAM and disk of a group (a tier, a cluster, a cost dimension) is the sum of its VMs\' averages: what the group held on average over the period. The Summary tables "per VM" divide that by the prorated VMs.',
      ...(daily
        ? [
            'Hourly Totals: row [HH:00, HH+1:00) is read from the first snapshot at or after HH+1:00 (the next day\'s first for 23:00; the next one when a snapshot is missing).',
            'Each VM of that snapshot, and each VM deleted after the hour began (in its last state), counts with presence = overlap of [creation, deletion) with the hour / 3600.',
          ]
        : [
            'Daily Totals: one row per UTC day (From and To give its exact bounds), with the prorated totals of that day\'s daily summaries.',
            'Monthly Tin (% of presence) and the other tiers = tier hits / samples present over the month: the share of the time the VM existed (as daily).',
          ]),
      ...CLASS_NOTES,
      ...ALLOCATION_NOTES,
      specFieldsNote(),
    ],
  };
}
