// Commands return data; this prints it, as JSON (--json) or as tables and lines for people.
//
// Tables fit the terminal: stdout's width on a terminal, 80 columns in a pipe or under systemd.
// Numbers are right-aligned with thousands separators and never wrapped; headings and text columns
// (names, results, paths) wrap until the table fits. A table that cannot fit (--wide with many
// numeric columns on a narrow terminal) is printed unwrapped, as wide as it is.
//
// --json output goes through one serializer (src/queries/json-shape.ts), shared with the HTTP API:
// every unix-seconds time gets an ISO 8601 sibling, unknown values are null, tiers are named as in
// the tables.
import Table from 'cli-table3';
import type { AfterJobReports } from '../jobs/report-after-job.js';
import { toJsonShape } from '../queries/json-shape.js';
import { numberFormat } from '../core/number-format.js';

export { tierName } from '../queries/json-shape.js';

/** Width of tables when stdout is not a terminal (pipes, files, the systemd journal). */
export const DEFAULT_WIDTH = 80;
/** Narrower than this, tables stop shrinking and run over. */
const MIN_WIDTH = 40;

export interface Output {
  json: boolean;
  /** --quiet: nothing on stdout but what --json asked for; errors go to stderr regardless. */
  quiet: boolean;
  /** Columns the tables are fitted to. */
  width: number;
  /** A line (or lines) of text; nothing when quiet. */
  write: (text: string) => void;
  /** Text that is the command's product (--json output, an encrypted value): printed even when quiet. */
  print: (text: string) => void;
  /** A table fitted to `width`; nothing when quiet. */
  table: (columns: readonly ColumnSpec[], rows: readonly (readonly Cell[])[]) => void;
}

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  /** Default: stdout's columns on a terminal, else 80. */
  width?: number;
  /** Default: process.stdout. */
  sink?: (text: string) => void;
}

/** The width tables are fitted to: the terminal's, or 80 columns when stdout is no terminal. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns ? Math.max(MIN_WIDTH, stream.columns) : DEFAULT_WIDTH;
}

/** The Output of a command; `stdoutOutput(json)` is the short form of `stdoutOutput({ json })`. */
export function stdoutOutput(options: boolean | OutputOptions = {}): Output {
  const o: OutputOptions = typeof options === 'boolean' ? { json: options } : options;
  const sink = o.sink ?? ((text: string) => void process.stdout.write(text));
  const quiet = o.quiet ?? false;
  const width = o.width ?? terminalWidth();
  const emit = (text: string) => sink(text.endsWith('\n') ? text : `${text}\n`);
  return {
    json: o.json ?? false,
    quiet,
    width,
    write: (text) => {
      if (!quiet) emit(text);
    },
    print: emit,
    table: (columns, rows) => {
      if (!quiet) emit(renderTable(columns, rows, { width }));
    },
  };
}

/** --json output: printed even with --quiet, since it was asked for. */
export function printJson(out: Output, data: unknown): void {
  out.print(JSON.stringify(toJsonShape(data), null, 2));
}

/**
 * The reports a job built after its commit (async_report_generation: false), one line each. A
 * failed one says so; its error is in the job's log line (and in --json).
 */
export function printAfterJobReports(out: Output, reports: AfterJobReports | null): void {
  if (!reports) return;
  for (const r of reports.written) out.write(`${r.kind} report written: ${r.path}`);
  for (const f of reports.failed) out.write(`${f.kind} report failed, no file was written; the data above is committed`);
}

// ---- failures reported once -----------------------------------------------------------------

const reported = new WeakSet<object>();

/**
 * Marks a failure whose details the user has already been given on stderr (the job logged each
 * failed unit at error level), so that main.ts does not print it a second time. Returns it, to throw.
 */
export function alreadyReported<E extends Error>(error: E): E {
  reported.add(error);
  return error;
}

export function wasReported(error: unknown): boolean {
  return typeof error === 'object' && error !== null && reported.has(error);
}

// ---- numbers (src/core/number-format.ts) -----------------------------------------------------

/** A whole number with thousands separators: 12,345. */
export function count(n: number): string {
  return numberFormat(0).format(n);
}

/** A number with thousands separators and exactly `digits` decimals: 12,345.0. */
export function fixed(n: number, digits = 1): string {
  return numberFormat(digits).format(n);
}

// ---- tables ---------------------------------------------------------------------------------

export type Cell = string | number | null | undefined;

export interface Column {
  head: string;
  /** Default: right when every cell of the column is a number (or '-'), else left. */
  align?: 'left' | 'right';
  /** Whether cells may wrap. Default: text yes; numbers, days and times never. */
  wrap?: boolean;
}

export type ColumnSpec = string | Column;

export interface TableOptions {
  /** Default: terminalWidth(). */
  width?: number;
}

const NUMERIC = /^[-+]?\d[\d,]*(\.\d+)?(\/\d[\d,]*)?%?[*]?\s?$/;
/** Days, months and times (2026-04-21T13:00:00Z): tokens that stay whole, like numbers. */
const WHOLE = /^\d{4}-\d\d(-\d\d(T\d\d(:\d\d){1,2}Z)?)?[*]?\s?$/;
const PLACEHOLDER = new Set(['', '-']);
const PADDING = 2;

/** Cells as text: numbers with thousands separators (whole) or two decimals; null and undefined as '-'. */
function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '-';
  if (typeof cell === 'number') return Number.isInteger(cell) ? count(cell) : fixed(cell, 2);
  return cell;
}

/**
 * A table with a rule under its head, fitted to `options.width`. Rows get rules between them only
 * when one of them spans several lines, so that a wrapped row is still told from the next.
 */
export function renderTable(columns: readonly ColumnSpec[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  const width = options.width ?? terminalWidth();
  const specs: Column[] = columns.map((c) => (typeof c === 'string' ? { head: c } : c));
  const text = rows.map((row) => specs.map((_, i) => cellText(row[i])));
  const all = (i: number, pattern: RegExp) =>
    text.every((row) => PLACEHOLDER.has(row[i]!) || pattern.test(row[i]!)) && text.some((row) => !PLACEHOLDER.has(row[i]!));
  const numeric = specs.map((_, i) => all(i, NUMERIC));
  const align = specs.map((s, i) => s.align ?? (numeric[i] ? 'right' : 'left'));
  const wraps = specs.map((s, i) => s.wrap ?? !(numeric[i] || all(i, WHOLE)));

  const widths = columnWidths(specs, text, wraps, width);
  const head = specs.map((s, i) => wrapText(s.head, widths[i]! - PADDING).join('\n'));
  const body = text.map((row) => row.map((cell, i) => (wraps[i] ? wrapText(cell, widths[i]! - PADDING).join('\n') : cell)));

  const table = new Table({
    head,
    colWidths: widths,
    colAligns: align,
    wordWrap: true,
    style: { head: [], border: [] },
  });
  table.push(...body);
  const lines = table.toString().split('\n');
  if (body.some((row) => row.some((cell) => cell.includes('\n')))) return lines.join('\n');
  // Single-line rows: keep the rule under the head, drop those between rows.
  let rules = 0;
  return lines.filter((line) => !line.startsWith('├') || rules++ === 0).join('\n');
}

/**
 * Column widths (padding included) that fit `width`. Natural widths when they fit; otherwise
 * headings break between words (down to their cells' width), and then text cells wrap (down to
 * MIN_TEXT or their longest word). Numbers, days and times stay whole.
 */
export function columnWidths(specs: readonly Column[], text: readonly (readonly string[])[], wraps: readonly boolean[], width: number): number[] {
  const cellWidth = specs.map((_, i) => Math.max(0, ...text.map((row) => widthOf(row[i]!))));
  const headWord = specs.map((s) => longestWord(s.head));
  const natural = specs.map((s, i) => Math.max(widthOf(s.head), cellWidth[i]!) + PADDING);
  const headsWrapped = specs.map((_, i) => Math.max(headWord[i]!, cellWidth[i]!, 1) + PADDING);
  const cellsWrapped = specs.map((_, i) => {
    const content = wraps[i] ? Math.min(MIN_TEXT, Math.max(0, ...text.map((row) => longestWord(row[i]!)))) : cellWidth[i]!;
    return Math.min(headsWrapped[i]!, Math.max(headWord[i]!, content, 1) + PADDING);
  });
  const widths = [...natural];
  const borders = specs.length + 1;
  // One that cannot fit however its text wraps (--wide on a narrow terminal) keeps its natural
  // widths: wrapping would make it longer and still not fit; `less -S` shows it whole.
  if (cellsWrapped.reduce((a, b) => a + b, 0) + borders > width) return widths;
  let excess = widths.reduce((a, b) => a + b, 0) + borders - width;
  // The column with the most room to give goes first: as few columns wrap as can.
  for (const floor of [headsWrapped, cellsWrapped]) {
    while (excess > 0) {
      let pick = -1;
      let room = 0;
      for (let i = 0; i < widths.length; i++) {
        const r = widths[i]! - floor[i]!;
        if (r > room || (r === room && r > 0 && widths[i]! > widths[pick]!)) [pick, room] = [i, r];
      }
      if (pick === -1) break;
      widths[pick]!--;
      excess--;
    }
  }
  return widths;
}

/** A text column gives way down to this (or its longest word, if shorter) before running over. */
const MIN_TEXT = 12;

function widthOf(text: string): number {
  return Math.max(0, ...text.split('\n').map(displayWidth));
}

function longestWord(text: string): number {
  return Math.max(0, ...text.split('\n').flatMap(words).map(displayWidth));
}

/**
 * `text` broken into lines of at most `width` columns: between words (not inside a short group in
 * parentheses), and a word longer than a line after one of / . - _ : , ; = where it can, else
 * anywhere. Existing line breaks are kept.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  const max = Math.max(1, width);
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of words(paragraph)) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (displayWidth(candidate) <= max) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      line = '';
      let rest = word;
      while (displayWidth(rest) > max) {
        const [head, tail] = breakWord(rest, max);
        lines.push(head);
        rest = tail;
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** A short parenthesized group stays together: "(UTC)", "(7 d)", "(3 missed)". */
const GROUP_MAX = 12;

/** The words of a line: split at spaces, short parenthesized groups joined again. */
function words(line: string): string[] {
  const out: string[] = [];
  const tokens = line.split(/[ \t]+/).filter((w) => w !== '');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.startsWith('(') && !token.endsWith(')')) {
      const end = tokens.findIndex((t, j) => j > i && t.endsWith(')'));
      const group = end === -1 ? '' : tokens.slice(i, end + 1).join(' ');
      if (end !== -1 && displayWidth(group) <= GROUP_MAX) {
        out.push(group);
        i = end;
        continue;
      }
    }
    out.push(token);
  }
  return out;
}

function breakWord(word: string, width: number): [string, string] {
  const chars = [...word];
  let fits = 0;
  let used = 0;
  while (fits < chars.length && used + charWidth(chars[fits]!) <= width) used += charWidth(chars[fits++]!);
  fits = Math.max(1, fits);
  // Prefer a break after punctuation in the second half of the line.
  for (let i = fits; i > fits / 2; i--) {
    if ('/.-_:,;='.includes(chars[i - 1]!)) return [chars.slice(0, i).join(''), chars.slice(i).join('')];
  }
  return [chars.slice(0, fits).join(''), chars.slice(fits).join('')];
}

/** Terminal columns of `text`: East Asian wide characters count two, combining marks none. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

function charWidth(ch: string): number {
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (/\p{Mn}|\p{Me}|\u200b|\u200c|\u200d|\ufeff/u.test(ch)) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}
