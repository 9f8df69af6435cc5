// The first sheet of every report: what it covers, when it was generated, from which snapshots or
// summaries, and which snapshots are missing, per vCenter.
import { type CellKind, type CellValue, type Column, type ReportWorkbook, wrapWords } from './workbook-stream.js';

export const FRONT_SHEET = 'Report';

export interface FrontSheetModel {
  title: string;
  facts: { label: string; value: CellValue; kind?: CellKind }[];
  /** One row per vCenter: the snapshots or summaries the report was built from. */
  sources: { columns: Column[]; rows: CellValue[][] };
  notes: string[];
  /** A report over a closed month says so under its title (src/core/month-closure.ts closedReportNote). */
  closed?: string;
}

export function writeFrontSheet(wb: ReportWorkbook, model: FrontSheetModel): void {
  const widths = [30, ...model.sources.columns.slice(1).map((c) => c.width ?? 20)];
  while (widths.length < 2) widths.push(24);
  widths[1] = Math.max(widths[1]!, 24);
  const sheet = wb.grid(FRONT_SHEET, widths);
  let row = 1;
  sheet.set({ row, col: 1, value: model.title, bold: true });
  if (model.closed) sheet.set({ row: row + 1, col: 1, value: model.closed, bold: true });
  row += 2;
  for (const fact of model.facts) {
    sheet.set({ row, col: 1, value: fact.label, bold: true });
    sheet.set({ row, col: 2, value: fact.value, kind: fact.kind });
    row++;
  }
  row++;
  model.sources.columns.forEach((c, i) => sheet.set({ row, col: i + 1, value: c.header, header: true }));
  row++;
  for (const values of model.sources.rows) {
    values.forEach((value, i) => sheet.set({ row, col: i + 1, value, kind: model.sources.columns[i]?.kind }));
    row++;
  }
  if (model.notes.length > 0) {
    row++;
    sheet.set({ row, col: 1, value: 'How to read this report', bold: true });
    row++;
    // Wrapped by hand into lines as wide as the columns above: a note running on over empty cells
    // would widen the printed area, and the sheet prints one page wide, so everything would shrink.
    const room = widths.reduce((sum, w) => sum + w, 0) - 4;
    for (const note of model.notes) for (const line of wrapWords(note, room)) sheet.set({ row: row++, col: 1, value: line });
  }
  sheet.commit();
}
