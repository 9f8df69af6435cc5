// The Charts sheet: the report's native charts on a sheet of their own, one per printed page, so
// none is cut by a page break and none covers a table. Each chart has a fixed size in points (9 x
// 6 in: column widths in characters come out wider or narrower with the fonts of the program that
// opens the file, points do not) below a caption row, in a block of rows of fixed height (15 pt)
// ended by a manual page break. A block, 6.25 in high and 9 in wide, fits a landscape page of A4
// or US Letter inside the margins of src/reports/workbook-stream.ts, so the sheet prints at 100%
// and each chart whole on its page.
import type { ReportWorkbook } from './workbook-stream.js';
import type { ChartSpec } from './xlsx-charts.js';

export const CHARTS_SHEET = 'Charts';

/** What a chart shows, before the Charts sheet places it. */
export type ChartContent = Omit<ChartSpec, 'sheet' | 'anchor'>;

const CHART_COLUMNS = 10;
/** Characters (about 0.9 in in Excel); the caption row's text may run over them. */
const COLUMN_WIDTH = 12;
const ROW_POINTS = 15;
const CHART_ROWS = 29;
const CHART_WIDTH_PT = 9 * 72;
/** Just under the chart's rows (29 x 15 = 435 pt), so it never reaches into the next page's. */
const CHART_HEIGHT_PT = 6 * 72;
/** The caption row and the chart's rows: one printed page. */
export const CHART_BLOCK_ROWS = 1 + CHART_ROWS;

/**
 * Writes the Charts sheet (captions, row heights, page breaks) and returns the charts placed on it,
 * for addNativeCharts. `caption(i)` is the line above chart i (what it is drawn from).
 */
export function writeChartsSheet(wb: ReportWorkbook, charts: readonly ChartContent[], caption: (index: number) => string): ChartSpec[] {
  const sheet = wb.grid(CHARTS_SHEET, Array.from({ length: CHART_COLUMNS }, () => COLUMN_WIDTH));
  const specs = charts.map((chart, i): ChartSpec => {
    const top = 1 + i * CHART_BLOCK_ROWS;
    const last = top + CHART_BLOCK_ROWS - 1;
    sheet.set({ row: top, col: 1, value: caption(i), bold: true });
    sheet.rowHeights(top, last, ROW_POINTS);
    if (i < charts.length - 1) sheet.pageBreakAfter(last);
    // Zero-based: the row below the caption (1-based row top + 1).
    return { ...chart, sheet: CHARTS_SHEET, anchor: { fromCol: 0, fromRow: top, widthPt: CHART_WIDTH_PT, heightPt: CHART_HEIGHT_PT } };
  });
  sheet.commit();
  return specs;
}
