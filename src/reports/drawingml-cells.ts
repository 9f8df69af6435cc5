// Cell ranges as chart formulas write them ('Hourly Totals'!$C$2:$C$25), and the cell values
// behind them, read from the worksheet XML to fill a chart's caches.
import { SaxesParser } from 'saxes';
import { VctpError } from '../core/errors.js';
import { localName } from './drawingml-opc.js';

/** Zero-based, inclusive. */
export interface CellRange {
  sheet: string;
  firstCol: number;
  firstRow: number;
  lastCol: number;
  lastRow: number;
}

const MAX_COL = 16_384;
const MAX_ROW = 1_048_576;

/** Quotes a sheet name when a formula needs it, as Excel does: 'Hourly Totals', 'It''s', 'A1'. */
export function quoteSheetName(name: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) && !/^[A-Za-z]{1,3}[0-9]+$/.test(name) && !/^[RC][0-9]*$|^R[0-9]*C[0-9]*$/i.test(name);
  return plain ? name : `'${name.replaceAll("'", "''")}'`;
}

export function columnName(col: number): string {
  let name = '';
  for (let n = col + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + ch.charCodeAt(0) - 64;
  return n - 1;
}

/** The absolute reference of a range, sheet name quoted as needed. */
export function formatRange(range: CellRange): string {
  const first = `$${columnName(range.firstCol)}$${range.firstRow + 1}`;
  const last = `$${columnName(range.lastCol)}$${range.lastRow + 1}`;
  return `${quoteSheetName(range.sheet)}!${first}${first === last ? '' : `:${last}`}`;
}

/**
 * `chartRange('Hourly Totals', 'C2:C25')` → `'Hourly Totals'!$C$2:$C$25`: builds ChartSeries
 * formulas without hand-quoting sheet names.
 */
export function chartRange(sheet: string, a1Range: string): string {
  const parsed = parseRange(`${quoteSheetName(sheet)}!${a1Range}`);
  if (typeof parsed === 'string') throw new VctpError('internal', parsed);
  return formatRange(parsed);
}

const CELL = String.raw`\$?([A-Za-z]{1,3})\$?([0-9]{1,7})`;
const RANGE_RE = new RegExp(String.raw`^(?:'((?:[^']|'')+)'|([^'!]+))!${CELL}(?::${CELL})?$`);

/** Parses `Sheet!A1:B2`-style references; returns a message saying what is wrong otherwise. */
export function parseRange(ref: string): CellRange | string {
  const m = RANGE_RE.exec(ref.trim());
  if (m === null) return `"${ref}" is not a cell range like 'Sheet name'!$A$2:$A$25`;
  const sheet = m[1] === undefined ? (m[2] as string) : m[1].replaceAll("''", "'");
  if (m[1] === undefined && quoteSheetName(sheet) !== sheet) {
    return `"${ref}": the sheet name must be quoted, as in ${quoteSheetName(sheet)}!...`;
  }
  const c1 = columnIndex(m[3] as string);
  const r1 = Number(m[4]) - 1;
  const c2 = m[5] === undefined ? c1 : columnIndex(m[5]);
  const r2 = m[6] === undefined ? r1 : Number(m[6]) - 1;
  if (Math.max(c1, c2) >= MAX_COL || Math.min(r1, r2) < 0 || Math.max(r1, r2) >= MAX_ROW) {
    return `"${ref}" lies outside the worksheet grid`;
  }
  return { sheet, firstCol: Math.min(c1, c2), firstRow: Math.min(r1, r2), lastCol: Math.max(c1, c2), lastRow: Math.max(r1, r2) };
}

/** The cells of a one-row or one-column range, in order, as [col, row] pairs. */
export function rangeCells(range: CellRange): Array<[number, number]> {
  const cells: Array<[number, number]> = [];
  for (let row = range.firstRow; row <= range.lastRow; row += 1) {
    for (let col = range.firstCol; col <= range.lastCol; col += 1) cells.push([col, row]);
  }
  return cells;
}

/** A cell as stored: its type attribute, <v> text, and the text of an inline string. */
export interface RawCell {
  t: string | undefined;
  v: string;
  inline: string;
}

export const cellKey = (col: number, row: number): number => row * MAX_COL + col;

/**
 * Reads the cells of `ranges` from a worksheet part. Rows are stored in ascending order, so
 * reading stops after the last row any range needs: charts over the top of a big sheet stay cheap.
 */
export function readCells(sheetXml: string, ranges: readonly CellRange[]): Map<number, RawCell> {
  const cells = new Map<number, RawCell>();
  const maxRow = Math.max(-1, ...ranges.map((r) => r.lastRow));
  const wanted = (col: number, row: number): boolean =>
    ranges.some((r) => col >= r.firstCol && col <= r.lastCol && row >= r.firstRow && row <= r.lastRow);
  let row = -1;
  let col = -1;
  let cell: RawCell | undefined;
  let capture: 'v' | 't' | undefined;
  let phoneticDepth = 0;
  let done = false;
  const parser = new SaxesParser({ position: false });
  parser.on('opentag', (tag) => {
    const local = localName(tag.name);
    const attrs = tag.attributes as Record<string, string>;
    if (local === 'row') {
      row = attrs.r === undefined ? row + 1 : Number(attrs.r) - 1;
      col = -1;
      if (row > maxRow) done = true;
    } else if (local === 'c') {
      const ref = attrs.r === undefined ? undefined : /^([A-Z]+)([0-9]+)$/.exec(attrs.r);
      col = ref ? columnIndex(ref[1] as string) : col + 1;
      if (ref) row = Number(ref[2]) - 1;
      cell = wanted(col, row) ? { t: attrs.t, v: '', inline: '' } : undefined;
    } else if (cell !== undefined) {
      if (local === 'rPh') phoneticDepth += 1;
      else if (local === 'v' || (local === 't' && phoneticDepth === 0)) capture = local;
    }
  });
  parser.on('text', (text) => {
    if (cell === undefined || capture === undefined) return;
    if (capture === 'v') cell.v += text;
    else cell.inline += text;
  });
  parser.on('closetag', (tag) => {
    const local = localName(tag.name);
    if (local === 'c' && cell !== undefined) {
      cells.set(cellKey(col, row), cell);
      cell = undefined;
    } else if (local === 'rPh') phoneticDepth -= 1;
    capture = undefined;
  });
  const chunk = 1 << 20;
  for (let i = 0; i < sheetXml.length && !done; i += chunk) parser.write(sheetXml.slice(i, i + chunk));
  return cells;
}

/** The shared strings at `indexes` (plain and rich text; phonetic runs left out). */
export function readSharedStrings(xml: string, indexes: ReadonlySet<number>): Map<number, string> {
  const out = new Map<number, string>();
  const last = Math.max(-1, ...indexes);
  let index = -1;
  let text: string | undefined;
  let inT = false;
  let phoneticDepth = 0;
  const parser = new SaxesParser({ position: false });
  parser.on('opentag', (tag) => {
    const local = localName(tag.name);
    if (local === 'si') {
      index += 1;
      text = indexes.has(index) ? '' : undefined;
    } else if (local === 'rPh') phoneticDepth += 1;
    else if (local === 't' && phoneticDepth === 0 && !tag.isSelfClosing) inT = true;
  });
  parser.on('text', (t) => {
    if (inT && text !== undefined) text += t;
  });
  parser.on('closetag', (tag) => {
    const local = localName(tag.name);
    if (local === 't') inT = false;
    else if (local === 'rPh') phoneticDepth -= 1;
    else if (local === 'si' && text !== undefined) {
      out.set(index, text);
      text = undefined;
    }
  });
  const chunk = 1 << 20;
  for (let i = 0; i < xml.length && index <= last; i += chunk) parser.write(xml.slice(i, i + chunk));
  return out;
}

export type CellValue = { kind: 'number'; text: string } | { kind: 'string'; text: string };

/** What a chart sees in a cell; undefined for empty and error cells. */
export function cellValue(cell: RawCell | undefined, sharedStrings: ReadonlyMap<number, string>): CellValue | undefined {
  if (cell === undefined) return undefined;
  switch (cell.t) {
    case 's': {
      const text = sharedStrings.get(Number(cell.v));
      return text === undefined ? undefined : { kind: 'string', text };
    }
    case 'inlineStr':
      return { kind: 'string', text: cell.inline };
    case 'str':
    case 'd':
      return { kind: 'string', text: cell.v };
    case 'b':
      return { kind: 'number', text: cell.v.trim() === '1' ? '1' : '0' };
    case 'e':
      return undefined;
    default: {
      const text = cell.v.trim();
      return text === '' || !Number.isFinite(Number(text)) ? undefined : { kind: 'number', text };
    }
  }
}
