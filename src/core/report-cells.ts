// A1-style cell and range references as the settings write them (`Summary!A3:H40`, `A3:H40`,
// `'My Sheet'!$B$2`). Rows and columns are 1-based here, as in the references.

export interface CellRef {
  sheet: string | null;
  row: number;
  col: number;
}

export interface CellRange {
  sheet: string | null;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

const SHEET = String.raw`(?:'((?:[^']|'')+)'|([^\s!'\[\]*?/\\:]+))!`;
const CELL = String.raw`\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})`;
const CELL_RE = new RegExp(`^(?:${SHEET})?${CELL}$`);
const RANGE_RE = new RegExp(`^(?:${SHEET})?${CELL}:${CELL}$`);

export function columnNumber(letters: string): number {
  return [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
}

export function columnLetters(col: number): string {
  let out = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

const sheetOf = (quoted: string | undefined, bare: string | undefined): string | null =>
  quoted !== undefined ? quoted.replace(/''/g, "'") : (bare ?? null);

export function parseCell(text: string): CellRef | null {
  const m = CELL_RE.exec(text.trim());
  if (!m) return null;
  return { sheet: sheetOf(m[1], m[2]), col: columnNumber(m[3]!), row: Number(m[4]) };
}

export function parseRange(text: string): CellRange | null {
  const m = RANGE_RE.exec(text.trim());
  if (!m) return null;
  const [a, b] = [
    { col: columnNumber(m[3]!), row: Number(m[4]) },
    { col: columnNumber(m[5]!), row: Number(m[6]) },
  ];
  return {
    sheet: sheetOf(m[1], m[2]),
    top: Math.min(a.row, b.row),
    left: Math.min(a.col, b.col),
    bottom: Math.max(a.row, b.row),
    right: Math.max(a.col, b.col),
  };
}

export function formatCell(row: number, col: number): string {
  return `${columnLetters(col)}${row}`;
}

export function formatRange(r: Pick<CellRange, 'top' | 'left' | 'bottom' | 'right'>): string {
  return `${formatCell(r.top, r.left)}:${formatCell(r.bottom, r.right)}`;
}

/** `'Sheet name'!$A$1:$B$2`: the absolute form defined names and chart series use. */
export function absoluteRange(sheet: string, r: Pick<CellRange, 'top' | 'left' | 'bottom' | 'right'>): string {
  const abs = (row: number, col: number) => `$${columnLetters(col)}$${row}`;
  return `${quoteSheet(sheet)}!${abs(r.top, r.left)}:${abs(r.bottom, r.right)}`;
}

export function quoteSheet(sheet: string): string {
  return `'${sheet.replace(/'/g, "''")}'`;
}

export function overlaps(a: Pick<CellRange, 'top' | 'left' | 'bottom' | 'right'>, b: Pick<CellRange, 'top' | 'left' | 'bottom' | 'right'>): boolean {
  return a.left <= b.right && b.left <= a.right && a.top <= b.bottom && b.top <= a.bottom;
}

export function contains(r: Pick<CellRange, 'top' | 'left' | 'bottom' | 'right'>, row: number, col: number): boolean {
  return row >= r.top && row <= r.bottom && col >= r.left && col <= r.right;
}
