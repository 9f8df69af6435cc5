// The Allocation sheet and the Cost sheets of daily and monthly reports (src/jobs/report-allocation.ts
// builds their rows from the report's VM rows). Allocation: one table, block after block: by tier,
// then by each report cost dimension and tier, each block ending in its total row (bold), which is
// the report's total. Cost by <dimension>: a row per value (cost, highest first) and the total.
// Cost columns only when rate cards are configured (src/core/report-currency.ts).
import type { AllocationFigures } from '../core/allocation.js';
import type { CostSetting } from '../core/report-currency.js';
import { COST_PARTS, costHeader, GROUP_HEADERS } from '../core/report-headers.js';
import type { CellValue, Column, ReportWorkbook } from './workbook-stream.js';

export const ALLOCATION_SHEET = 'Allocation';

export interface AllocationBlock {
  /** The dimension the tiers are split by (`tier` for the tier block itself). */
  dimension: string;
  rows: { value: string; tier: string; figures: AllocationFigures }[];
  total: AllocationFigures;
}

export interface AllocationSheetModel {
  blocks: AllocationBlock[];
}

export interface CostSheetModel {
  dimension: string;
  rows: { value: string; figures: AllocationFigures }[];
  total: AllocationFigures;
}

const TOTAL = 'Total (all VMs)';

function figureColumns(cost: CostSetting | null): Column[] {
  return [
    { header: GROUP_HEADERS.vms, kind: 'count' },
    { header: GROUP_HEADERS.proratedVms, kind: 'decimal' },
    { header: GROUP_HEADERS.avgVcpu, kind: 'decimal' },
    { header: GROUP_HEADERS.avgRamGb, kind: 'gb' },
    { header: GROUP_HEADERS.avgDiskGb, kind: 'gb', width: 18 },
    ...(cost === null ? [] : COST_PARTS.map((part): Column => ({ header: costHeader(part, cost), kind: 'money', width: 16 }))),
  ];
}

function figureCells(f: AllocationFigures, cost: CostSetting | null): CellValue[] {
  const sizes: CellValue[] = [f.vms, f.prorated_vms, f.avg_vcpu, f.avg_ram_gb, f.avg_disk_gb];
  return cost === null ? sizes : [...sizes, ...COST_PARTS.map((part) => f.cost[part])];
}

export function writeAllocationSheet(wb: ReportWorkbook, model: AllocationSheetModel, cost: CostSetting | null): void {
  const columns: Column[] = [
    { header: 'Breakdown', kind: 'text', width: 16 },
    { header: 'Value', kind: 'text', width: 28 },
    { header: 'Tier', kind: 'text', width: 10 },
    ...figureColumns(cost),
  ];
  const sheet = wb.table(ALLOCATION_SHEET, columns, { freezeColumns: 3 });
  for (const block of model.blocks) {
    const breakdown = block.dimension === 'tier' ? 'tier' : `${block.dimension}, tier`;
    for (const row of block.rows) sheet.add([breakdown, row.value, row.tier, ...figureCells(row.figures, cost)]);
    sheet.add([breakdown, TOTAL, null, ...figureCells(block.total, cost)], { bold: true });
  }
  sheet.commit();
}

/**
 * `Cost by tenant`, cut to Excel's 31 characters; dimension names (up to 63) cut to the same name
 * get `~2`, `~3`, ... (`taken`: the names used so far, lower case, as Excel compares them).
 */
export function costSheetName(dimension: string, taken: Set<string>): string {
  let name = `Cost by ${dimension}`.slice(0, 31);
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${`Cost by ${dimension}`.slice(0, 31 - `~${n}`.length)}~${n}`;
  taken.add(name.toLowerCase());
  return name;
}

export function writeCostSheet(wb: ReportWorkbook, name: string, model: CostSheetModel, cost: CostSetting | null): void {
  const columns: Column[] = [{ header: model.dimension, kind: 'text', width: 28 }, ...figureColumns(cost)];
  const sheet = wb.table(name, columns, { freezeColumns: 1 });
  for (const row of model.rows) sheet.add([row.value, ...figureCells(row.figures, cost)]);
  sheet.add([TOTAL, ...figureCells(model.total, cost)], { bold: true });
  sheet.commit();
}
