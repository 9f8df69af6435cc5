// The Totals sheet: per vCenter (then all vCenters) and per tier, the VM count, prorated VM count,
// vCPU, RAM and disk of chargeable VMs, with node-charged VMs, SRM placeholders and templates in
// rows of their own (src/core/report-totals.ts says how each is computed); with rate cards, their
// cost (a VM that changed tier split between its tiers by its samples in each).
import type { CostSetting } from '../core/report-currency.js';
import { COST_PARTS, costHeader, GROUP_HEADERS } from '../core/report-headers.js';
import { GROUP_LABELS, type TotalsByGroup, type TotalsGroup } from '../core/report-totals.js';
import type { CellValue, Column, ReportWorkbook } from './workbook-stream.js';

export const TOTALS_SHEET = 'Totals';
export const ALL_VCENTERS = 'All vCenters';

export interface TotalsSheetModel {
  /** Per vCenter, then the all-vCenters block. */
  blocks: { vcenter: string; totals: TotalsByGroup }[];
  /** Cost columns (daily and monthly reports with rate cards), else none. */
  cost: CostSetting | null;
}

const ORDER: readonly TotalsGroup[] = ['tin', 'bronze', 'silver', 'gold', 'untiered', 'chargeable', 'node_charge', 'srm', 'template', 'all'];
const BOLD: ReadonlySet<TotalsGroup> = new Set(['chargeable', 'all']);

export const TOTALS_COLUMNS: readonly Column[] = [
  { header: 'vCenter', kind: 'text', width: 26 },
  { header: 'Group', kind: 'text', width: 36 },
  { header: GROUP_HEADERS.vms, kind: 'count' },
  { header: GROUP_HEADERS.proratedVms, kind: 'decimal' },
  { header: GROUP_HEADERS.avgVcpu, kind: 'decimal' },
  { header: GROUP_HEADERS.avgRamGb, kind: 'gb' },
  { header: GROUP_HEADERS.avgDiskGb, kind: 'gb', width: 18 },
];

export function writeTotalsSheet(wb: ReportWorkbook, model: TotalsSheetModel): void {
  const { cost } = model;
  const costColumns = cost === null ? [] : COST_PARTS.map((part): Column => ({ header: costHeader(part, cost), kind: 'money', width: 16 }));
  const sheet = wb.table(TOTALS_SHEET, [...TOTALS_COLUMNS, ...costColumns], { freezeColumns: 2 });
  for (const block of model.blocks) {
    for (const group of ORDER) {
      const t = block.totals[group];
      const values: CellValue[] = [block.vcenter, GROUP_LABELS[group], t.vmCount, t.proratedVmCount, t.vcpu, t.ramGb, t.diskGb];
      if (cost !== null) values.push(...COST_PARTS.map((part) => t.cost[part]));
      sheet.add(values, { bold: BOLD.has(group) });
    }
  }
  sheet.commit();
}
