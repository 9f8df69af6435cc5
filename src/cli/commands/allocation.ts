import { allocationCsv } from '../../core/allocation-csv.js';
import type { AllocationFigures } from '../../core/allocation.js';
import { VctpError } from '../../core/errors.js';
import { readAllocation, type AllocationResult } from '../../queries/allocation.js';
import { count, fixed, stdoutOutput, type Cell, type ColumnSpec, type Output } from '../output.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface AllocationFlags {
  window?: string;
  by?: string;
  vcenter?: string[];
  json?: boolean;
  csv?: boolean;
  wide?: boolean;
}

export async function allocationCommand(globals: RuntimeOptions, flags: AllocationFlags): Promise<void> {
  if (flags.json && flags.csv) throw new VctpError('usage', '--json and --csv: give one of them');
  if (flags.window === undefined) throw new VctpError('usage', '--window is required (e.g. --window lastmonth)');
  if (flags.by === undefined) throw new VctpError('usage', '--by is required (e.g. --by cluster,tier)');
  const vcenters = flags.vcenter?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const result = await withRuntime(
    globals,
    ({ ctx, settings }) => readAllocation(ctx, settings, { window: flags.window!, by: flags.by!, vcenters }),
    { readOnly: true },
  );
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  // The answer is already in its JSON shape (snake_case, ISO times, lower-case tiers as the issue
  // asks): printed as it is, not through toJsonShape, which would rename the tiers.
  if (flags.json) return out.print(JSON.stringify(result, null, 2));
  if (flags.csv) return out.print(allocationCsv(result, result.by, result.currency));
  print(out, result, flags.wide ?? false);
}

function print(out: Output, result: AllocationResult, wide: boolean): void {
  out.write(
    `allocation of ${result.period} (${result.days} day${result.days === 1 ? '' : 's'}: ${result.window.start} to ${result.window.end}, end exclusive) by ${result.by.join(', ')}` +
      (result.currency === null ? '' : `, cost in ${result.currency}`),
  );
  for (const s of result.sources) {
    const from = s.source === 'monthly_summary' ? 'the monthly summaries' : 'the hourly spans';
    out.write(`  ${s.vcenter}: ${count(s.vms)} VMs from ${from} over ${count(s.total_samples)} snapshots`);
  }
  if (result.rows.length === 0) return out.write('no VMs in any snapshot of the window');
  const money = result.currency !== null;
  const head: ColumnSpec[] = [...result.by];
  if (result.by.includes('vm')) head.push('vm id', ...(result.by.includes('vcenter') ? [] : ['vcenter']));
  head.push('VMs', 'prorated', 'vCPU', 'RAM GB', 'disk GB');
  if (money && wide) head.push('vCPU cost', 'RAM cost', 'disk cost', 'VM cost');
  if (money) head.push(`cost ${result.currency}`);
  const figures = (f: AllocationFigures): Cell[] => {
    const cells: Cell[] = [count(f.vms), fixed(f.prorated_vms, 2), fixed(f.avg_vcpu, 2), fixed(f.avg_ram_gb, 1), fixed(f.avg_disk_gb, 1)];
    if (money && wide) cells.push(fixed(f.cost.vcpu, 2), fixed(f.cost.ram, 2), fixed(f.cost.disk, 2), fixed(f.cost.vm, 2));
    if (money) cells.push(fixed(f.cost.total, 2));
    return cells;
  };
  const dimensionCells = head.length - figures(result.total).length;
  const rows: Cell[][] = result.rows.map((row) => {
    const r = row as unknown as Record<string, string>;
    const cells: Cell[] = result.by.map((d) => r[d]);
    if (result.by.includes('vm')) cells.push(r.vm_id, ...(result.by.includes('vcenter') ? [] : [r.vcenter]));
    return [...cells, ...figures(row)];
  });
  rows.push(['total', ...Array<Cell>(dimensionCells - 1).fill(''), ...figures(result.total)]);
  out.table(head, rows);
  if (!money) out.write('no rate cards in settings.rate_cards: no cost is shown');
}
