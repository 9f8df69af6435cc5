// The Summary sheet of daily and monthly reports: one table per metric of report_summary_pivots
// (avg_vcpu, avg_ram, prorated_vm_count, vm_name_count), rows per vCenter and cluster, columns per
// tier, over the chargeable VMs (node-charged VMs, SRM placeholders and templates are on the Totals
// sheet, apart); the tables of averages hold averages per VM (AVERAGE_METRICS). These are computed tables written as plain cells, not pivot tables: exceljs
// 4.4.0 cannot write pivot tables at all (its only mention of pivots is a sheet-protection flag; a
// pivot cache written by hand is a corruption risk Excel "repairs" by deleting), so the numbers are
// computed here and written as values. Each table gets the configured title at its title cell and
// its pivot_name as a workbook defined name over the table, so formulas can still refer to it.
//
// Settings entries override the built-in table of their metric; a field left out keeps the
// built-in value. A table is written at its pivot_range's top-left cell and must fit the range;
// one that does not, or a range on another sheet, or two ranges that overlap, is a settings error
// naming the entry. Tables without a pivot_range are stacked below every configured one.
import { VctpError } from './errors.js';
import { contains, type CellRange, columnLetters, formatRange, overlaps, parseCell, parseRange } from './report-cells.js';
import type { TotalsByGroup, TierGroup } from './report-totals.js';

export const PIVOT_METRIC_NAMES = ['avg_vcpu', 'avg_ram', 'prorated_vm_count', 'vm_name_count'] as const;
export type PivotMetricName = (typeof PIVOT_METRIC_NAMES)[number];

/** Structurally the settings' report_summary_pivots entry. */
export interface PivotEntry {
  metric: PivotMetricName;
  title?: string;
  pivot_name?: string;
  pivot_range?: string;
  title_cell?: string;
}

export const SUMMARY_SHEET = 'Summary';
export const PIVOT_HEADER = ['vCenter', 'Cluster', 'Tin', 'Bronze', 'Silver', 'Gold', 'No tier', 'Total'] as const;
export const PIVOT_WIDTH = PIVOT_HEADER.length;
const PIVOT_GROUPS: readonly (TierGroup | 'chargeable')[] = ['tin', 'bronze', 'silver', 'gold', 'untiered', 'chargeable'];

const DEFAULTS: Record<PivotMetricName, { title: string; name: string }> = {
  avg_vcpu: { title: 'Average vCPU per VM by vCenter, cluster and tier', name: 'PivotAvgVcpu' },
  avg_ram: { title: 'Average RAM (GiB) per VM by vCenter, cluster and tier', name: 'PivotAvgRam' },
  prorated_vm_count: { title: 'Prorated VMs by vCenter, cluster and tier', name: 'PivotProratedVmCount' },
  vm_name_count: { title: 'VMs by vCenter, cluster and tier', name: 'PivotVmNameCount' },
};

/**
 * The tables of averages (avg_vcpu, avg_ram) hold the average size of a VM in each cell: the
 * group's time-weighted vCPU (or RAM) over its prorated VMs, so a VM present half the period
 * weighs half. Their last row is the same average over all the rows (sum of sizes over sum of
 * prorated VMs), not a sum of averages, which would mean nothing. The count tables add up.
 */
export const AVERAGE_METRICS: ReadonlySet<PivotMetricName> = new Set(['avg_vcpu', 'avg_ram']);

/** The label of a table's last row. */
export function pivotTotalLabel(metric: PivotMetricName): string {
  return AVERAGE_METRICS.has(metric) ? 'Average (all rows)' : 'Total';
}

export interface PivotPlan {
  metric: PivotMetricName;
  /** Index of the settings entry that configured it; null for a built-in table. */
  entry: number | null;
  title: string;
  /** Workbook defined name over the table. */
  definedName: string;
  /** Where the table may go (without the title row when the title is derived into it). */
  area: CellRange | null;
  titleCell: { row: number; col: number } | null;
}

const keyOf = (entry: number | null, field: string) => `settings.report_summary_pivots[${entry}].${field}`;

function configError(problems: string[]): VctpError {
  return new VctpError(
    'config',
    `settings.report_summary_pivots: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
  );
}

/** Excel defined names: letters, digits, `_` and `.`, not starting with a digit, not a cell reference. */
export function definedNameFrom(name: string): string {
  let out = name.replace(/[^A-Za-z0-9_.\\]/g, '_');
  if (!/^[A-Za-z_\\]/.test(out) || /^[A-Za-z]{1,3}\d+$/.test(out) || /^[RrCc]\d*$|^[Rr]\d*[Cc]\d*$/.test(out)) out = `_${out}`;
  return out.slice(0, 255);
}

const onSummary = (sheet: string | null) => sheet === null || sheet.toLowerCase() === SUMMARY_SHEET.toLowerCase();

/** The four tables with the settings applied; static problems (ranges, sheets, overlaps) are thrown together. */
export function planPivots(entries: readonly PivotEntry[]): PivotPlan[] {
  const problems: string[] = [];
  const byMetric = new Map(entries.map((e, i) => [e.metric, { e, i }]));
  const names = new Set<string>();
  const plans = PIVOT_METRIC_NAMES.map((metric): PivotPlan => {
    const found = byMetric.get(metric);
    const entry = found?.i ?? null;
    const e = found?.e;
    let definedName = definedNameFrom(e?.pivot_name ?? DEFAULTS[metric].name);
    for (let n = 2; names.has(definedName.toLowerCase()); n++) definedName = `${definedNameFrom(e?.pivot_name ?? DEFAULTS[metric].name)}_${n}`;
    names.add(definedName.toLowerCase());
    let area: CellRange | null = null;
    let titleCell: PivotPlan['titleCell'] = null;
    if (e?.pivot_range !== undefined) {
      const range = parseRange(e.pivot_range);
      if (!range) problems.push(`${keyOf(entry, 'pivot_range')}: expected a range like Summary!A3:H40, got ${JSON.stringify(e.pivot_range)}`);
      else if (!onSummary(range.sheet)) {
        problems.push(`${keyOf(entry, 'pivot_range')}: ${e.pivot_range} is on sheet "${range.sheet}"; summary tables go on the ${SUMMARY_SHEET} sheet`);
      } else {
        area = { ...range, sheet: SUMMARY_SHEET };
        const width = range.right - range.left + 1;
        if (width < PIVOT_WIDTH) {
          problems.push(
            `${keyOf(entry, 'pivot_range')}: ${e.pivot_range} is ${width} columns wide; the ${metric} table needs ${PIVOT_WIDTH} ` +
              `(${PIVOT_HEADER.join(', ')}), e.g. ${formatRange({ ...range, right: range.left + PIVOT_WIDTH - 1 })}`,
          );
        }
      }
    }
    if (e?.title_cell !== undefined) {
      const cell = parseCell(e.title_cell);
      if (!cell) problems.push(`${keyOf(entry, 'title_cell')}: expected a cell like Summary!A1, got ${JSON.stringify(e.title_cell)}`);
      else if (!onSummary(cell.sheet)) problems.push(`${keyOf(entry, 'title_cell')}: ${e.title_cell} is on sheet "${cell.sheet}"; titles go on the ${SUMMARY_SHEET} sheet`);
      else titleCell = { row: cell.row, col: cell.col };
    } else if (area) {
      // Derived: the row above the range; a range starting on row 1 gives its first row to the title.
      if (area.top > 1) titleCell = { row: area.top - 1, col: area.left };
      else {
        titleCell = { row: area.top, col: area.left };
        area = { ...area, top: area.top + 1 };
      }
    }
    return { metric, entry, title: e?.title ?? DEFAULTS[metric].title, definedName, area, titleCell };
  });

  const configured = plans.filter((p) => p.area !== null);
  for (let i = 0; i < configured.length; i++) {
    for (let j = i + 1; j < configured.length; j++) {
      const [a, b] = [configured[i]!, configured[j]!];
      if (overlaps(a.area!, b.area!)) {
        problems.push(`${keyOf(b.entry, 'pivot_range')}: overlaps the range of settings.report_summary_pivots[${a.entry}] (${formatRange(a.area!)})`);
      }
    }
  }
  for (const p of plans) {
    if (!p.titleCell) continue;
    for (const other of configured) {
      if (other !== p && contains(other.area!, p.titleCell.row, p.titleCell.col)) {
        const field = p.entry !== null && byMetric.get(p.metric)?.e.title_cell !== undefined ? 'title_cell' : 'pivot_range';
        problems.push(`${keyOf(p.entry, field)}: the title cell ${columnLetters(p.titleCell.col)}${p.titleCell.row} lies inside the range of settings.report_summary_pivots[${other.entry}]`);
      }
    }
  }
  if (problems.length > 0) throw configError(problems);
  return plans;
}

export interface PivotRowData {
  vcenter: string;
  cluster: string;
  /** Per tier column then the Total column; null: no VM of that tier (an average of nothing). */
  values: (number | null)[];
}

export interface PivotTable {
  metric: PivotMetricName;
  rows: PivotRowData[];
  /** The last row: sums, or for the tables of averages the average over all rows. */
  total: (number | null)[];
}

/** Per (vCenter, cluster) totals of the chargeable VMs, as the tables read them. */
export interface PivotCell {
  vcenter: string;
  cluster: string;
  totals: TotalsByGroup;
}

/** A cell's value as a numerator and, for the tables of averages, the prorated VMs it is divided by. */
function metricParts(metric: PivotMetricName, totals: TotalsByGroup, group: TierGroup | 'chargeable'): [number, number | null] {
  const t = totals[group];
  switch (metric) {
    case 'avg_vcpu':
      return [t.vcpu, t.proratedVmCount];
    case 'avg_ram':
      return [t.ramGb, t.proratedVmCount];
    case 'prorated_vm_count':
      return [t.proratedVmCount, null];
    case 'vm_name_count':
      // Like a pivot's "Count of Name": VMs with a row, per tier they sampled; Total counts each once.
      return [t.vmCount, null];
  }
}

const valueOf = ([numerator, denominator]: [number, number | null]): number | null =>
  denominator === null ? numerator : denominator > 0 ? numerator / denominator : null;

export function pivotTable(metric: PivotMetricName, cells: readonly PivotCell[]): PivotTable {
  const sorted = cells
    .filter((c) => c.totals.chargeable.vmCount > 0)
    .slice()
    .sort((a, b) => a.vcenter.localeCompare(b.vcenter) || a.cluster.localeCompare(b.cluster));
  const parts = sorted.map((c) => PIVOT_GROUPS.map((g) => metricParts(metric, c.totals, g)));
  const rows = sorted.map((c, i) => ({ vcenter: c.vcenter, cluster: c.cluster, values: parts[i]!.map(valueOf) }));
  const total = PIVOT_GROUPS.map((_, k) => {
    const numerator = parts.reduce((sum, p) => sum + p[k]![0], 0);
    const denominator = AVERAGE_METRICS.has(metric) ? parts.reduce((sum, p) => sum + (p[k]![1] ?? 0), 0) : null;
    return valueOf([numerator, denominator]);
  });
  return { metric, rows, total };
}

/** Header, one row per (vCenter, cluster), and a total row. */
export const pivotTableHeight = (t: PivotTable) => t.rows.length + 2;

export interface PivotPlacement {
  plan: PivotPlan;
  table: PivotTable;
  titleCell: { row: number; col: number };
  /** The cells the table fills (1-based). */
  at: { top: number; left: number; bottom: number; right: number };
}

/** Puts each table at its range (checking it fits) or below every configured one. */
export function placePivots(plans: readonly PivotPlan[], tables: ReadonlyMap<PivotMetricName, PivotTable>): PivotPlacement[] {
  const problems: string[] = [];
  const placements: PivotPlacement[] = [];
  let cursor = 1;
  for (const p of plans) {
    if (p.area) cursor = Math.max(cursor, p.area.bottom + 2);
    if (p.titleCell) cursor = Math.max(cursor, p.titleCell.row + 2);
  }
  for (const plan of plans) {
    const table = tables.get(plan.metric);
    if (!table) continue;
    const height = pivotTableHeight(table);
    if (plan.area) {
      const available = plan.area.bottom - plan.area.top + 1;
      const at = { top: plan.area.top, left: plan.area.left, bottom: plan.area.top + height - 1, right: plan.area.left + PIVOT_WIDTH - 1 };
      if (available < height) {
        problems.push(
          `${keyOf(plan.entry, 'pivot_range')}: the ${plan.metric} table needs ${height} rows (${table.rows.length} vCenter/cluster rows, ` +
            `a header and a total) at ${formatRange(at)}, but ${formatRange(plan.area)} leaves ${available}`,
        );
        continue;
      }
      placements.push({ plan, table, titleCell: plan.titleCell ?? { row: at.top, col: at.left }, at });
      continue;
    }
    const titleCell = plan.titleCell ?? { row: cursor, col: 1 };
    const top = plan.titleCell ? cursor : cursor + 1;
    const at = { top, left: 1, bottom: top + height - 1, right: PIVOT_WIDTH };
    placements.push({ plan, table, titleCell, at });
    cursor = at.bottom + 3;
  }
  if (problems.length > 0) throw configError(problems);
  return placements;
}
