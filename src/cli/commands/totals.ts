import { VctpError } from '../../core/errors.js';
import { reportCost } from '../../core/report-currency.js';
import { readTotals, type TotalsKind, type TotalsReport, type TotalsRow } from '../../queries/totals.js';
import { count, fixed, printJson, stdoutOutput, type Cell, type Output } from '../output.js';
import { formatTime, parseIntegerFlag } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface TotalsFlags {
  vcenter?: string[];
  view?: string;
  days?: string;
  json?: boolean;
  wide?: boolean;
}

const VIEWS: TotalsKind[] = ['hourly', 'daily', 'monthly'];

export async function totalsCommand(globals: RuntimeOptions, flags: TotalsFlags): Promise<void> {
  const view = (flags.view ?? 'daily') as TotalsKind;
  if (!VIEWS.includes(view)) throw new VctpError('usage', `--view ${flags.view}: expected hourly, daily or monthly`);
  const days = parseIntegerFlag('--days', flags.days ?? '45', 1);
  const report = await withRuntime(
    globals,
    ({ ctx, settings }) => readTotals(ctx, { view, days, vcenters: flags.vcenter, currency: reportCost(settings)?.currency ?? null }),
    { readOnly: true },
  );
  print(stdoutOutput({ json: flags.json, quiet: globals.quiet }), report, flags.wide ?? false);
}

/**
 * One table per vCenter. Default: VMs, chargeable VMs and their vCPU, RAM and disk, the cost of
 * daily and monthly rows when rate cards are configured (its parts are in --json), and the samples
 * of prorated periods; --wide adds the tier counts and the VMs counted apart (templates, SRM
 * placeholders and standbys, node-charged VMs).
 */
function print(out: Output, report: TotalsReport, wide: boolean): void {
  if (out.json) return printJson(out, report);
  const periods = report.view === 'hourly' ? 'snapshots' : report.view === 'daily' ? 'days' : 'months';
  if (report.rows.length === 0) {
    const hint = report.view === 'hourly' ? 'vctp snapshot' : `vctp aggregate ${report.view}`;
    return out.write(`no ${report.view} totals since ${formatTime(report.since)} (they are written by ${hint}, or rebuilt by vctp backfill)`);
  }
  const prorated = report.view !== 'hourly';
  // Daily and monthly counts are prorated (VM-periods), so they get decimals; hourly ones are whole.
  const share = (n: number): Cell => (prorated ? fixed(n, 2) : n);
  const head = [report.view === 'hourly' ? 'time (UTC)' : report.view === 'daily' ? 'day' : 'month', 'VMs', 'charged', 'vCPU', 'RAM GB', 'disk GB'];
  if (wide) head.push('Tin', 'Bronze', 'Silver', 'Gold', 'No tier', 'templates', 'SRM', 'node-charged');
  const priced = prorated && report.currency !== null;
  if (priced) head.push(`cost ${report.currency}`);
  if (prorated) head.push('samples');
  const vcenters = [...new Set(report.rows.map((r) => r.vcenter))];
  vcenters.forEach((vcenter, index) => {
    if (index > 0) out.write('');
    out.write(`${vcenter}, ${report.view} totals${prorated ? ' (prorated over each period)' : ''}:`);
    out.table(
      head,
      report.rows
        .filter((r) => r.vcenter === vcenter)
        .map((r) => {
          const t = r.totals;
          const cells: Cell[] = [r.period, t.vmCount, share(t.chargeableVmCount), share(t.vcpuTotal), fixed(t.ramGbTotal, 1), fixed(t.diskGbTotal, 1)];
          if (wide) {
            cells.push(...[t.tinVmCount, t.bronzeVmCount, t.silverVmCount, t.goldVmCount, t.untieredVmCount].map(share));
            cells.push(t.templateCount, t.srmPlaceholderCount, t.nodeChargeVmCount);
          }
          // A period aggregated before vctp priced periods has no cost: '-', not 0.
          if (priced) cells.push(r.cost === null ? '-' : fixed(r.cost.total, 2));
          if (prorated) cells.push(samplesCell(r));
          return cells;
        }),
    );
  });
  const flagged = report.rows.filter((r) => (r.samples?.missing ?? 0) > 0);
  if (flagged.length > 0) {
    out.write(`${count(flagged.length)} of ${count(report.rows.length)} ${periods} missed snapshots: their averages cover only the snapshots taken`);
  }
}

/** "24/24", or "21/24 (3 missed)" so an incomplete period cannot pass for a complete one. */
export function samplesCell(r: TotalsRow): string {
  if (!r.samples) return '-';
  const { expected, present, missing } = r.samples;
  return missing > 0 ? `${count(present)}/${count(expected)} (${count(missing)} missed)` : `${count(present)}/${count(expected)}`;
}
