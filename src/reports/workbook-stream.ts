// The one place that drives exceljs: its streaming WorkbookWriter, so a 40,000-VM sheet goes to
// disk row by row instead of living in memory. Sheets are written one after the other (a sheet
// opened before the previous one is committed would be buffered in memory whole by the zip
// stream), so callers write small sheets completely and stream the VM sheet last.
//
// Every sheet prints the same way (README "Reports"): landscape, one page wide (as many pages high
// as it takes), a table's header row repeated on every page (_xlnm.Print_Titles, which exceljs
// writes from pageSetup.printTitlesRow), and a footer with the report's period, the sheet's name
// and `Page n of m`. Checked by converting workbooks to PDF with LibreOffice
// (test/integration/report-print.test.ts), not only by reading the XML.
import { createWriteStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { columnLetters } from '../core/report-cells.js';
import type ExcelJSTypes from 'exceljs';

export type CellValue = string | number | boolean | Date | null;

/** How a column's numbers read: Excel number formats, and the width that shows them whole. */
export type CellKind = 'text' | 'id' | 'int' | 'count' | 'decimal' | 'ratio' | 'pct' | 'gb' | 'money' | 'date' | 'bool';

const NUMBER_FORMATS: Partial<Record<CellKind, string>> = {
  id: '0',
  int: '#,##0',
  count: '#,##0',
  decimal: '#,##0.00',
  ratio: '0.0000',
  pct: '0.00',
  gb: '#,##0.00',
  money: '#,##0.00',
  date: 'yyyy-mm-dd hh:mm:ss',
};

/** Wide enough for the values: headers wrap onto more lines instead (a narrower table prints larger). */
const DEFAULT_WIDTHS: Record<CellKind, number> = {
  text: 18,
  id: 9,
  int: 8,
  count: 10,
  decimal: 10,
  ratio: 9,
  pct: 9,
  gb: 11,
  money: 12,
  date: 19,
  bool: 8,
};

/** Points per line of a wrapped header (the default row height). */
const LINE_POINTS = 15;

/** `text` wrapped at spaces into lines of at most `room` characters (a longer word is cut). */
export function wrapWords(text: string, room: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ')) {
    while (word.length > room) {
      if (line !== '') lines.push(line);
      lines.push(word.slice(0, room));
      word = word.slice(room);
      line = '';
    }
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= room) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** Lines a header takes wrapped in a column `width` characters wide (bold text is wider: two to spare). */
export function wrappedLines(text: string, width: number): number {
  return wrapWords(text, Math.max(1, width - 2)).length;
}

export interface Column {
  header: string;
  kind: CellKind;
  width?: number;
}

/** What every sheet's footer says on the left: the report and its period, as people write it. */
export interface PrintOptions {
  footer: string;
}

/** Narrow margins (inches): a wide VM table then prints larger on its one page width. */
const MARGINS = { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.25, footer: 0.25 };

/** `&` starts a code in header and footer text (`&P`, `&N`, `&A`): a literal one is doubled. */
export function footerText(text: string): string {
  return text.replaceAll('&', '&&');
}

/** exceljs pageSetup and headerFooter of a sheet; `titleRows` (e.g. '1:1') repeat on every page. */
function printSetup(print: PrintOptions, titleRows: string | undefined): Pick<Partial<ExcelJSTypes.AddWorksheetOptions>, 'pageSetup' | 'headerFooter'> {
  return {
    pageSetup: {
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      // 0: as many pages high as the rows need (Excel's "Automatic"); LibreOffice reads it so too.
      fitToHeight: 0,
      margins: MARGINS,
      ...(titleRows === undefined ? {} : { printTitlesRow: titleRows }),
    },
    headerFooter: { oddFooter: `&L${footerText(print.footer)}&C&A&RPage &P of &N` },
  };
}

const HEADER_STYLE = { font: { bold: true }, fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } } } as const;
/** A table's header: wrapped in its column, the row as high as the longest header needs. */
const TABLE_HEADER_STYLE = { ...HEADER_STYLE, alignment: { wrapText: true, vertical: 'top' } } as const;
const BOLD = { font: { bold: true } } as const;
const MAX_BACKLOG_BYTES = 4 << 20;

/** Unix seconds as an Excel date (UTC, which is what the file shows); 0 = none. */
export function dateCell(unix: number | null): Date | null {
  return unix === null || unix === 0 ? null : new Date(unix * 1000);
}

function columnStyle(kind: CellKind): Partial<ExcelJSTypes.Style> {
  const numFmt = NUMBER_FORMATS[kind];
  return numFmt ? { numFmt } : {};
}

export class ReportWorkbook {
  private readonly wb: ExcelJSTypes.stream.xlsx.WorkbookWriter;
  private readonly failed: Promise<never>;
  private error: Error | undefined;

  /** Writes to `path` (created or truncated). */
  constructor(
    path: string,
    created: Date,
    private readonly print: PrintOptions,
  ) {
    const file = createWriteStream(path);
    // exceljs listens for stream errors only once it finalizes; a write error before that (a full
    // disk) would be an unhandled 'error' event and leave commit() waiting forever.
    this.failed = new Promise<never>((_, reject) =>
      file.on('error', (error) => {
        this.error = error;
        reject(error);
      }),
    );
    this.failed.catch(() => undefined);
    // Inline strings (no shared-string table held in memory); deflate level 1: the VM sheet is most
    // of the file, and level 1 deflates it about a third faster than 6 for about 30% more bytes.
    this.wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: file as never, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 1 } } });
    this.wb.creator = 'vctp';
    this.wb.created = created;
    this.wb.modified = created;
    cacheStyles(this.wb);
  }

  /**
   * A table: bold header row (wrapped) frozen and printed on every page, typed columns, an
   * autofilter over all rows written. `printColumns`: only the first so many columns are printed
   * (a print area), so a very wide table prints large enough to read; all stay in the sheet.
   */
  table(name: string, columns: readonly Column[], options: { freezeColumns?: number; printColumns?: number } = {}): TableSheet {
    const ws = this.wb.addWorksheet(name, {
      views: [{ state: 'frozen', xSplit: options.freezeColumns ?? 0, ySplit: 1 }],
      ...printSetup(this.print, '1:1'),
    });
    const widths = columns.map((c) => c.width ?? DEFAULT_WIDTHS[c.kind]);
    ws.columns = columns.map((c, i) => ({ key: `c${i}`, width: widths[i], style: columnStyle(c.kind) }));
    const headerLines = Math.max(...columns.map((c, i) => wrappedLines(c.header, widths[i]!)));
    return new TableSheet(ws, columns, headerLines * LINE_POINTS, options.printColumns, () => this.error);
  }

  /**
   * A free-form sheet of a few cells (front page, summary tables, charts), written at commit.
   * `titleRows` (e.g. '1:1') print on every page.
   */
  grid(name: string, widths: readonly number[] = [], options: { titleRows?: string } = {}): GridSheet {
    const ws = this.wb.addWorksheet(name, printSetup(this.print, options.titleRows));
    ws.columns = widths.map((width, i) => ({ key: `c${i}`, width }));
    return new GridSheet(ws);
  }

  definedName(name: string, range: string): void {
    this.wb.definedNames.add(range, name);
  }

  async commit(): Promise<void> {
    await Promise.race([this.wb.commit(), this.failed]);
  }
}

export class TableSheet {
  private rows = 1;

  constructor(
    private readonly ws: ExcelJSTypes.Worksheet,
    private readonly columns: readonly Column[],
    headerHeight: number,
    private readonly printColumns: number | undefined,
    private readonly writeError: () => Error | undefined,
  ) {
    const header = ws.addRow(columns.map((c) => c.header));
    header.eachCell((cell) => (cell.style = TABLE_HEADER_STYLE as Partial<ExcelJSTypes.Style>));
    header.height = headerHeight;
    header.commit();
  }

  /** Values in column order; committed at once so the row leaves memory. */
  add(values: readonly CellValue[], options: { bold?: boolean } = {}): void {
    const row = this.ws.addRow(values as CellValue[]);
    if (options.bold) row.eachCell((cell) => (cell.font = BOLD.font));
    row.commit();
    this.rows++;
  }

  /**
   * Waits while the zip stream holds more than a few MB of this sheet's XML not yet compressed.
   * exceljs pipes a sheet into the zip without backpressure, so a sheet written faster than zlib
   * deflates piles up in memory (about 75 MB for 50,000 VM rows); checking its queue every
   * thousand rows keeps the backlog bounded. The queue is an internal of exceljs' zip pipe: when it
   * is not where it is expected, this only yields to the event loop. A failed file write (which
   * stops the zip stream for good) ends the wait with that error.
   */
  async flushed(): Promise<void> {
    const stream = (this.ws as unknown as { stream?: { pipes?: { _writableState?: { length?: unknown } }[] } }).stream;
    const state = stream?.pipes?.[0]?._writableState;
    const backlog = () => (typeof state?.length === 'number' ? state.length : 0);
    await new Promise((resolve) => setImmediate(resolve));
    while (backlog() > MAX_BACKLOG_BYTES && !this.writeError()) await new Promise((resolve) => setTimeout(resolve, 2));
    const error = this.writeError();
    if (error) throw error;
  }

  commit(): void {
    const last = this.columns.length;
    this.ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: this.rows, column: last } };
    // exceljs turns this into the _xlnm.Print_Area defined name when the workbook is committed.
    if (this.printColumns !== undefined && this.printColumns < last) this.ws.pageSetup.printArea = `A$1:${columnLetters(this.printColumns)}$${this.rows}`;
    this.ws.commit();
  }
}

export interface GridCell {
  row: number;
  col: number;
  value: CellValue;
  kind?: CellKind;
  bold?: boolean;
  header?: boolean;
}

export class GridSheet {
  private readonly cells: GridCell[] = [];
  private readonly heights = new Map<number, number>();
  private readonly breaks: number[] = [];

  constructor(private readonly ws: ExcelJSTypes.Worksheet) {}

  set(cell: GridCell): void {
    this.cells.push(cell);
  }

  /** Rows first..last get this height in points (a chart anchored over them gets a known size). */
  rowHeights(first: number, last: number, points: number): void {
    for (let row = first; row <= last; row++) this.heights.set(row, points);
  }

  /** A manual page break after `row` (1-based): the next row starts a new printed page. */
  pageBreakAfter(row: number): void {
    this.breaks.push(row);
  }

  /** Writes the cells row by row (a streaming sheet cannot go back to a committed row). */
  commit(): void {
    for (const [row, points] of this.heights) this.ws.getRow(row).height = points;
    // CT_Break: id = the last row of the page (1-based), max = the last column index (16383).
    const rowBreaks = (this.ws as unknown as { rowBreaks: { id: number; max: number; man: number }[] }).rowBreaks;
    for (const row of [...new Set(this.breaks)].sort((a, b) => a - b)) rowBreaks.push({ id: row, max: 16_383, man: 1 });
    const sorted = [...this.cells].sort((a, b) => a.row - b.row || a.col - b.col);
    for (const c of sorted) {
      const cell = this.ws.getRow(c.row).getCell(c.col);
      cell.value = c.value;
      const numFmt = c.kind ? NUMBER_FORMATS[c.kind] : undefined;
      if (c.header) cell.style = { ...HEADER_STYLE, ...(numFmt ? { numFmt } : {}) } as Partial<ExcelJSTypes.Style>;
      else if (c.bold || numFmt) cell.style = { ...(c.bold ? BOLD : {}), ...(numFmt ? { numFmt } : {}) } as Partial<ExcelJSTypes.Style>;
    }
    this.ws.commit();
  }
}

/**
 * exceljs renders every cell's style to XML to look up its id (each cell gets a fresh merged style
 * object, so its identity cache never hits): two thirds of the time of a big sheet. The styles
 * here are a handful of small objects, so their JSON is a faithful key: same JSON, same style id.
 */
function cacheStyles(wb: ExcelJSTypes.stream.xlsx.WorkbookWriter): void {
  const styles = (wb as unknown as { styles: { addStyleModel: (model: unknown, type: unknown) => number } }).styles;
  const add = styles.addStyleModel.bind(styles);
  const ids = new Map<string, number>();
  styles.addStyleModel = (model, type) => {
    if (!model) return add(model, type);
    // Most cells have no style or only their column's number format: a key without JSON.
    let key = `${String(type)}|${(model as { numFmt?: string }).numFmt ?? ''}`;
    for (const field in model as object) {
      if (field !== 'numFmt') {
        key = `${String(type)}|${JSON.stringify(model)}`;
        break;
      }
    }
    let id = ids.get(key);
    if (id === undefined) {
      id = add(model, type);
      ids.set(key, id);
    }
    return id;
  };
}
