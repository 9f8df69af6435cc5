// The Summary sheet: the report_summary_pivots tables at their places (src/core/report-pivots.ts
// decides where, and why they are computed tables rather than pivot caches), each under its title
// and named by a workbook defined name.
import { absoluteRange } from '../core/report-cells.js';
import { PIVOT_HEADER, type PivotMetricName, type PivotPlacement, pivotTotalLabel, SUMMARY_SHEET } from '../core/report-pivots.js';
import type { CellKind, ReportWorkbook } from './workbook-stream.js';

const KIND: Record<PivotMetricName, CellKind> = {
  avg_vcpu: 'decimal',
  avg_ram: 'gb',
  prorated_vm_count: 'decimal',
  vm_name_count: 'count',
};

export function writeSummarySheet(wb: ReportWorkbook, placements: readonly PivotPlacement[]): void {
  const right = Math.max(8, ...placements.map((p) => p.at.right));
  const widths = Array.from({ length: right }, () => 14);
  for (const p of placements) {
    widths[p.at.left - 1] = 26;
    widths[p.at.left] = 22;
  }
  const sheet = wb.grid(SUMMARY_SHEET, widths);
  for (const p of placements) {
    const { top, left } = p.at;
    const kind = KIND[p.table.metric];
    sheet.set({ row: p.titleCell.row, col: p.titleCell.col, value: p.plan.title, bold: true });
    PIVOT_HEADER.forEach((h, i) => sheet.set({ row: top, col: left + i, value: h, header: true }));
    p.table.rows.forEach((r, j) => {
      sheet.set({ row: top + 1 + j, col: left, value: r.vcenter });
      sheet.set({ row: top + 1 + j, col: left + 1, value: r.cluster });
      r.values.forEach((v, i) => sheet.set({ row: top + 1 + j, col: left + 2 + i, value: v, kind }));
    });
    const totalRow = top + 1 + p.table.rows.length;
    sheet.set({ row: totalRow, col: left, value: pivotTotalLabel(p.table.metric), bold: true });
    p.table.total.forEach((v, i) => sheet.set({ row: totalRow, col: left + 2 + i, value: v, kind, bold: true }));
    wb.definedName(p.plan.definedName, absoluteRange(SUMMARY_SHEET, p.at));
  }
  sheet.commit();
}
