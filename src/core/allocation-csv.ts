// `vctp allocation --csv`: one header line, then one line per row (no total line: a spreadsheet's
// sum of a column is the total). RFC 4180: fields with a comma, quote or line break are quoted,
// quotes doubled; lines end in CRLF. Numbers are written in full (JavaScript's shortest exact
// form), so a re-read sum equals the JSON's figures.
import type { Allocation, AllocationFigures } from './allocation.js';

export const CSV_FIGURE_COLUMNS = ['vms', 'prorated_vms', 'avg_vcpu', 'avg_ram_gb', 'avg_disk_gb', 'cost_vcpu', 'cost_ram', 'cost_disk', 'cost_vm', 'cost_total'] as const;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'string' ? neutraliseFormula(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A text cell starting with = + - @ (or a tab or carriage return) is a formula to Excel and
 * LibreOffice, and VM names, tags and attributes are typed by anyone with vCenter access: such a
 * value is written with a leading apostrophe, as OWASP's CSV-injection advice says, so a
 * spreadsheet shows it as text. Numbers are written as numbers.
 */
function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function figureCells(f: AllocationFigures): number[] {
  return [f.vms, f.prorated_vms, f.avg_vcpu, f.avg_ram_gb, f.avg_disk_gb, f.cost.vcpu, f.cost.ram, f.cost.disk, f.cost.vm, f.cost.total];
}

/** The rows of `allocation` grouped by `by`, with a `currency` column last. */
export function allocationCsv(allocation: Allocation, by: readonly string[], currency: string | null): string {
  const dimensionColumns = by.includes('vm') ? [...by, ...['vm_id', 'vcenter'].filter((c) => !by.includes(c))] : [...by];
  const lines = [[...dimensionColumns, ...CSV_FIGURE_COLUMNS, 'currency'].map(csvField).join(',')];
  for (const row of allocation.rows) {
    const cells: (string | number | null)[] = dimensionColumns.map((c) => (row as Record<string, unknown>)[c] as string);
    cells.push(...figureCells(row), currency);
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
