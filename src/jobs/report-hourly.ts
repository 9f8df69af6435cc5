// The hourly report: one UTC hour (`2026-04-21T13`), every vCenter's snapshot taken in it (the
// latest, should a vCenter have two), all its VMs as vm_hourly_stats yields them, and their totals.
import { chargeRules } from '../core/charge-rules.js';
import { VctpError } from '../core/errors.js';
import { HOUR } from '../core/hourly-intervals.js';
import { hourLabel, hourStartOf } from '../core/periods.js';
import { hourText, utcBoundsText, utcInstant } from '../core/report-period-text.js';
import { addContribution, type Breakdown, emptyBreakdown } from '../core/report-totals.js';
import { diskCentiGb, ramMb } from '../core/units.js';
import type { FrontSheetModel } from '../reports/front-sheet.js';
import { HOURLY_VM_SHEET, vmValues } from '../reports/vm-sheet.js';
import type { ReportDocument } from '../reports/write-report.js';
import { dateCell } from '../reports/workbook-stream.js';
import { type HourlyVmRow, readHourlyVmPage, readRegistry, type RegistryEntry } from '../store/report-repository.js';
import type { JobContext } from './context.js';
import { CLASS_NOTES, classifyRow, specFieldsNote, pagesOf, type ReportSettings, totalsModel } from './report-common.js';

const DAY = 86_400;

export { hourLabel, hourStartOf };

export interface HourlyPlan {
  label: string;
  hourStart: number;
  /** The snapshot used per vCenter (its latest in the hour), by vCenter name. */
  snapshots: RegistryEntry[];
  /** vCenters expected in this hour that have no snapshot in it. */
  missing: string[];
  /** vCenters with more than one snapshot in the hour (--at backfills): how many more. */
  extra: Map<string, number>;
}

export async function planHourly(ctx: JobContext, hourStart: number, only: readonly string[]): Promise<HourlyPlan> {
  const entries = (await readRegistry(ctx.store, ['hourly'], hourStart, hourStart + HOUR)).filter((e) => only.length === 0 || only.includes(e.vcenter));
  const latest = new Map<string, RegistryEntry>();
  const extra = new Map<string, number>();
  for (const e of entries) {
    const seen = latest.get(e.vcenter);
    if (seen) extra.set(e.vcenter, (extra.get(e.vcenter) ?? 0) + 1);
    if (!seen || e.time > seen.time) latest.set(e.vcenter, e);
  }
  if (latest.size === 0) {
    throw new VctpError('usage', `no hourly snapshot between ${utcInstant(hourStart)} and ${utcInstant(hourStart + HOUR)}${only.length ? ` for ${only.join(', ')}` : ''}`);
  }
  // Expected: the vCenters snapshotted within a day of this hour (not every vCenter ever seen,
  // which would list a decommissioned one as missed forever).
  const around = await readRegistry(ctx.store, ['hourly'], hourStart - DAY, hourStart + HOUR + DAY);
  const known = [...new Set(around.map((e) => e.vcenter))].filter((name) => only.length === 0 || only.includes(name)).sort();
  return {
    label: hourLabel(hourStart),
    hourStart,
    snapshots: [...latest.values()].sort((a, b) => a.vcenter.localeCompare(b.vcenter)),
    missing: known.filter((name) => !latest.has(name)),
    extra,
  };
}

export async function hourlyDocument(ctx: JobContext, settings: ReportSettings, plan: HourlyPlan): Promise<ReportDocument> {
  const rules = chargeRules(settings);
  const pages = (s: RegistryEntry) => pagesOf<HourlyVmRow>((after, limit) => readHourlyVmPage(ctx.store, s.vcenter, s.time, after, limit));

  // Pass 1: totals. One hourly snapshot is one sample: each VM weighs 1 (TotalSamples 1).
  const perVcenter: { vcenter: string; sums: Breakdown; totalSamples: number }[] = [];
  let vmCount = 0;
  for (const s of plan.snapshots) {
    const sums = emptyBreakdown();
    for await (const page of pages(s)) {
      for (const r of page) {
        vmCount++;
        addContribution(sums, {
          chargeClass: classifyRow(rules, r),
          samplesPresent: 1,
          sumVcpu: r.vcpuCount,
          sumRamMb: ramMb(r.ramGb),
          sumDiskCentiGb: diskCentiGb(r.provisionedDisk),
          tinHits: r.tier === 'tin' ? 1 : 0,
          bronzeHits: r.tier === 'bronze' ? 1 : 0,
          silverHits: r.tier === 'silver' ? 1 : 0,
          goldHits: r.tier === 'gold' ? 1 : 0,
        });
      }
    }
    perVcenter.push({ vcenter: s.vcenter, sums, totalSamples: 1 });
  }

  const generatedAt = new Date(ctx.now());
  const title = `vctp hourly report ${hourText(plan.hourStart)}`;
  const front: FrontSheetModel = {
    title,
    facts: [
      { label: 'Period', value: hourText(plan.hourStart) },
      { label: 'UTC bounds', value: utcBoundsText(plan.hourStart, plan.hourStart + HOUR) },
      { label: 'Covers', value: 'the hourly snapshots taken in the hour (the latest of each vCenter)' },
      { label: 'Generated (UTC)', value: generatedAt, kind: 'date' },
      { label: 'vCenters', value: plan.snapshots.length + plan.missing.length, kind: 'count' },
      { label: 'VMs', value: vmCount, kind: 'count' },
      { label: 'Source', value: 'vm_hourly_stats (the hourly snapshots kept as state spans)' },
      { label: 'Missed snapshots', value: plan.missing.length === 0 ? 'none' : plan.missing.join(', ') },
    ],
    sources: {
      columns: [
        { header: 'vCenter', kind: 'text', width: 26 },
        { header: 'Snapshot time', kind: 'date' },
        { header: 'VMs', kind: 'count' },
        { header: 'Stored at', kind: 'date' },
        { header: 'Status', kind: 'text', width: 48 },
      ],
      rows: [
        ...plan.snapshots.map((s) => [
          s.vcenter,
          dateCell(s.time),
          s.rowCount,
          dateCell(s.createdAt),
          plan.extra.has(s.vcenter) ? `ok; ${plan.extra.get(s.vcenter)! + 1} snapshots in this hour, the latest is used` : 'ok',
        ]),
        ...plan.missing.map((name) => [name, null, null, null, 'missed: no snapshot in this hour']),
      ],
    },
    notes: [
      'Totals count each VM of the snapshot once (a snapshot is a single sample: prorated VMs equal VMs).',
      ...CLASS_NOTES,
      specFieldsNote(),
    ],
  };

  return {
    generatedAt,
    footer: title,
    front,
    // vctp prices days and months, not hours: an hourly report has no cost.
    cost: null,
    totals: totalsModel(perVcenter, null),
    vmColumns: HOURLY_VM_SHEET.columns,
    vmPrinted: HOURLY_VM_SHEET.printed,
    vmPages: async function* () {
      for (const s of plan.snapshots) {
        for await (const page of pages(s)) yield page.map((r) => vmValues(HOURLY_VM_SHEET.columns, r, classifyRow(rules, r)));
      }
    },
  };
}
