// Commands return data; this prints it, as JSON (--json) or as a table for people.
import Table from 'cli-table3';

export interface Output {
  json: boolean;
  write: (text: string) => void;
}

export function stdoutOutput(json: boolean): Output {
  return { json, write: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`) };
}

export function printJson(out: Output, data: unknown): void {
  out.write(JSON.stringify(data, null, 2));
}

export function renderTable(head: string[], rows: (string | number)[][]): string {
  // No rule between rows: a status of many vCenters stays one line each.
  const table = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  table.push(...rows.map((row) => row.map((cell) => String(cell))));
  return table.toString();
}

export function fixed(n: number, digits = 1): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}
