// The totals-over-time sheet: "Hourly Totals" of a daily report (24 interval rows) or "Daily
// Totals" of a monthly report (one row per day). The all-vCenters rows come first (rows 2 to n+1,
// which the charts plot), then the same rows per vCenter. The charts of those rows go on the Charts
// sheet (src/reports/charts-sheet.ts; src/reports/xlsx-charts.ts adds them once the workbook is written).
import type { IntervalValues } from '../core/report-intervals.js';
import { columnLetters } from '../core/report-cells.js';
import { GROUP_HEADERS } from '../core/report-headers.js';
import { GROUP_LABELS } from '../core/report-totals.js';
import { TIER_COLOUR_KEYS, type TierColourKey } from '../core/tier-colours.js';
import type { CellValue, Column, ReportWorkbook } from './workbook-stream.js';
import type { ChartContent } from './charts-sheet.js';
import { chartRange, type ChartSeries } from './xlsx-charts.js';

export const HOURLY_TOTALS_SHEET = 'Hourly Totals';
export const DAILY_TOTALS_SHEET = 'Daily Totals';

export interface IntervalRow {
  label: string;
  vcenter: string;
  from: Date;
  to: Date;
  /** The snapshot the row was read from, or the samples behind it, or why it is empty. */
  source: CellValue;
  /** null: no data for this interval (yet). */
  values: IntervalValues | null;
}

export interface IntervalSheetModel {
  sheet: typeof HOURLY_TOTALS_SHEET | typeof DAILY_TOTALS_SHEET;
  labelHeader: string;
  sourceHeader: string;
  sourceKind: Column['kind'];
  /** The all-vCenters block first, then one block per vCenter, each `blockLength` rows. */
  rows: IntervalRow[];
  blockLength: number;
  /** What the x axis counts, for chart titles ("hour", "day"). */
  unit: string;
}

const VALUE_COLUMNS: readonly (Column & { key: keyof IntervalValues })[] = [
  { header: GROUP_HEADERS.vms, kind: 'count', key: 'vmCount' },
  { header: GROUP_HEADERS.proratedVms, kind: 'decimal', key: 'proratedVmCount' },
  { header: GROUP_HEADERS.avgVcpu, kind: 'decimal', key: 'vcpu' },
  { header: GROUP_HEADERS.avgRamGb, kind: 'gb', key: 'ramGb' },
  { header: GROUP_HEADERS.avgDiskGb, kind: 'gb', key: 'diskGb', width: 18 },
  { header: 'Tin (prorated VMs)', kind: 'decimal', key: 'tin' },
  { header: 'Bronze (prorated VMs)', kind: 'decimal', key: 'bronze' },
  { header: 'Silver (prorated VMs)', kind: 'decimal', key: 'silver' },
  { header: 'Gold (prorated VMs)', kind: 'decimal', key: 'gold' },
  { header: 'No tier (prorated VMs)', kind: 'decimal', key: 'untiered' },
  { header: 'Node-charged VMs', kind: 'count', key: 'nodeChargeVms' },
  { header: 'SRM VMs', kind: 'count', key: 'srmVms' },
  { header: 'Templates', kind: 'count', key: 'templates' },
];
const FIXED = 5;

export function intervalColumns(model: Pick<IntervalSheetModel, 'labelHeader' | 'sourceHeader' | 'sourceKind'>): Column[] {
  return [
    { header: model.labelHeader, kind: 'text', width: 14 },
    { header: 'vCenter', kind: 'text', width: 24 },
    { header: 'From', kind: 'date' },
    { header: 'To', kind: 'date' },
    { header: model.sourceHeader, kind: model.sourceKind, width: 22 },
    ...VALUE_COLUMNS,
  ];
}

export function writeIntervalSheet(wb: ReportWorkbook, model: IntervalSheetModel): void {
  const sheet = wb.table(model.sheet, intervalColumns(model), { freezeColumns: 2 });
  for (const row of model.rows) {
    const values: CellValue[] = [row.label, row.vcenter, row.from, row.to, row.source];
    for (const c of VALUE_COLUMNS) values.push(row.values === null ? null : row.values[c.key]);
    sheet.add(values);
  }
  sheet.commit();
}

/**
 * The charts of the all-vCenters rows (2 to blockLength + 1): prorated chargeable VMs stacked by
 * tier, each tier in its fixed colour (src/core/tier-colours.ts, as in the UI), and the average
 * vCPU and RAM of the chargeable VMs; every value axis from zero. None when there are no rows.
 */
export function intervalCharts(model: IntervalSheetModel): ChartContent[] {
  if (model.blockLength === 0) return [];
  const last = 1 + model.blockLength;
  const column = (key: keyof IntervalValues) => FIXED + 1 + VALUE_COLUMNS.findIndex((c) => c.key === key);
  const range = (col: number) => chartRange(model.sheet, `${columnLetters(col)}2:${columnLetters(col)}${last}`);
  const categories = range(1);
  const series = (key: keyof IntervalValues): ChartSeries => ({ name: VALUE_COLUMNS.find((c) => c.key === key)!.header, categories, values: range(column(key)) });
  const tier = (key: TierColourKey): ChartSeries => ({ ...series(key), name: GROUP_LABELS[key], tier: key });
  return [
    {
      type: 'column',
      stacked: true,
      title: `Prorated chargeable VMs per ${model.unit}, by tier`,
      yAxisTitle: 'Prorated VMs',
      series: TIER_COLOUR_KEYS.map(tier),
    },
    { type: 'column', title: `Average vCPU of the chargeable VMs, per ${model.unit}`, yAxisTitle: 'vCPU', series: [series('vcpu')] },
    { type: 'column', title: `Average RAM of the chargeable VMs, per ${model.unit}`, yAxisTitle: 'GiB', series: [series('ramGb')] },
  ];
}
