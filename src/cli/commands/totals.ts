import { VctpError } from '../../core/errors.js';
import { readTotals, type TotalsKind, type TotalsReport, type TotalsRow } from '../../queries/totals.js';
import { fixed, printJson, renderTable, stdoutOutput } from '../output.js';
import { formatTime, parseIntegerFlag } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface TotalsFlags {
  vcenter?: string[];
  view?: string;
  days?: string;
  json?: boolean;
}

const VIEWS: TotalsKind[] = ['hourly', 'daily', 'monthly'];

export async function totalsCommand(globals: RuntimeOptions, flags: TotalsFlags): Promise<void> {
  const view = (flags.view ?? 'daily') as TotalsKind;
  if (!VIEWS.includes(view)) throw new VctpError('usage', `--view ${flags.view}: expected hourly, daily or monthly`);
  const days = parseIntegerFlag('--days', flags.days ?? '45', 1);
  const report = await withRuntime(globals, ({ ctx }) => readTotals(ctx, { view, days, vcenters: flags.vcenter }));
  print(report, flags.json ?? false);
}

function print(report: TotalsReport, json: boolean): void {
  const out = stdoutOutput(json);
  if (json) return printJson(out, report);
  const periods = report.view === 'hourly' ? 'snapshots' : report.view === 'daily' ? 'days' : 'months';
  if (report.rows.length === 0) {
    const hint = report.view === 'hourly' ? 'vctp snapshot' : `vctp aggregate ${report.view}`;
    return out.write(`no ${report.view} totals since ${formatTime(report.since)} (they are written by ${hint}, or rebuilt by vctp backfill)`);
  }
  const prorated = report.view !== 'hourly';
  // Daily and monthly counts are prorated (VM-periods), so they get decimals; hourly ones are whole.
  const count = (n: number) => (prorated ? fixed(n, 2) : String(n));
  const head = ['vCenter', report.view === 'hourly' ? 'time (UTC)' : report.view === 'daily' ? 'day' : 'month', 'VMs', 'chargeable', 'vCPU', 'RAM GB', 'disk GB', 'Tin', 'Bronze', 'Silver', 'Gold', 'none', 'templates', 'SRM', 'node-charged'];
  if (prorated) head.push('samples');
  out.write(
    renderTable(
      head,
      report.rows.map((r) => {
        const t = r.totals;
        const cells = [
          r.vcenter,
          r.period,
          t.vmCount,
          count(t.chargeableVmCount),
          fixed(t.vcpuTotal, 2),
          fixed(t.ramGbTotal, 2),
          fixed(t.diskGbTotal, 2),
          count(t.tinVmCount),
          count(t.bronzeVmCount),
          count(t.silverVmCount),
          count(t.goldVmCount),
          count(t.untieredVmCount),
          t.templateCount,
          t.srmPlaceholderCount,
          t.nodeChargeVmCount,
        ];
        if (prorated) cells.push(samplesCell(r));
        return cells;
      }),
    ),
  );
  const flagged = report.rows.filter((r) => (r.samples?.missing ?? 0) > 0);
  if (flagged.length > 0) {
    out.write(`${flagged.length} of ${report.rows.length} ${periods} missed snapshots: their averages cover only the snapshots taken`);
  }
}

/** "24/24", or "21/24 (3 missed)" so an incomplete period cannot pass for a complete one. */
export function samplesCell(r: TotalsRow): string {
  if (!r.samples) return '-';
  const { expected, present, missing } = r.samples;
  return missing > 0 ? `${present}/${expected} (${missing} missed)` : `${present}/${expected}`;
}
