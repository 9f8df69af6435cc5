import { VctpError } from '../../core/errors.js';
import { dayPeriod, lastCompleteDay, lastCompleteMonth, monthPeriod } from '../../core/periods.js';
import { unixSeconds } from '../../jobs/context.js';
import { regenerateHourlyReports, runPendingReports, type PendingResult } from '../../jobs/report-pending.js';
import { buildReport, type ReportRequest, type ReportResult } from '../../jobs/report.js';
import { fixed, printJson, renderTable, stdoutOutput } from '../output.js';
import { parseTimeFlag } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface ReportFlags {
  at?: string;
  date?: string;
  month?: string;
  vcenter?: string[];
  out?: string;
  json?: boolean;
}

export async function reportCommand(kind: 'hourly' | 'daily' | 'monthly', globals: RuntimeOptions, flags: ReportFlags): Promise<void> {
  const at = flags.at === undefined ? undefined : parseTimeFlag('--at', flags.at);
  const result = await withRuntime(globals, async ({ settings, ctx }) => {
    const now = unixSeconds(ctx.now());
    const request: ReportRequest =
      kind === 'hourly'
        ? { kind, at }
        : kind === 'daily'
          ? { kind, period: flags.date ? dayPeriod(flags.date) : lastCompleteDay(now) }
          : { kind, period: flags.month ? monthPeriod(flags.month) : lastCompleteMonth(now) };
    return buildReport(ctx, settings, request, { vcenters: flags.vcenter, out: flags.out });
  });
  const out = stdoutOutput(flags.json ?? false);
  if (out.json) return printJson(out, result);
  out.write(describe(result));
}

export async function reportPendingCommand(globals: RuntimeOptions, flags: { json?: boolean }): Promise<void> {
  const result = await withRuntime(globals, ({ settings, ctx }) => runPendingReports(ctx, settings));
  printBatch(result, flags.json ?? false, 'every report is up to date');
}

export async function reportRegenerateHourlyCommand(globals: RuntimeOptions, flags: { from?: string; to?: string; json?: boolean }): Promise<void> {
  const result = await withRuntime(globals, ({ settings, ctx }) => {
    const now = unixSeconds(ctx.now());
    const to = flags.to === undefined ? now : parseTimeFlag('--to', flags.to);
    const from = flags.from === undefined ? to - 86_400 : parseTimeFlag('--from', flags.from);
    if (from > to) throw new VctpError('usage', `--from ${flags.from} is later than --to ${flags.to ?? '(now)'}`);
    return regenerateHourlyReports(ctx, settings, from, to);
  });
  printBatch(result, flags.json ?? false, 'no hourly snapshots in that range');
}

function describe(r: ReportResult): string {
  return `${r.kind} report ${r.period} written: ${r.path} (${r.vmRows} VMs, ${r.vcenters.length} vCenters, ${r.charts} charts, ${fixed(r.durationMs / 1000, 1)} s)`;
}

function printBatch(result: PendingResult, json: boolean, nothing: string): void {
  const out = stdoutOutput(json);
  if (json) printJson(out, result);
  else if (result.written.length === 0 && result.failed.length === 0) out.write(`${nothing}${result.fresh ? ` (${result.fresh} up to date)` : ''}`);
  else {
    out.write(
      renderTable(
        ['report', 'period', 'result'],
        [
          ...result.written.map((r) => [r.kind, r.period, `written: ${r.path} (${r.vmRows} VMs, ${fixed(r.durationMs / 1000, 1)} s)`]),
          ...result.failed.map((f) => [f.kind, f.period, `failed: ${f.error}`]),
        ],
      ),
    );
    out.write(`${result.written.length} written, ${result.fresh} up to date, ${result.failed.length} failed`);
  }
  if (result.failed.length > 0) {
    throw new VctpError('partial', `${result.failed.length} report(s) failed: ${result.failed.map((f) => `${f.kind} ${f.period}: ${f.error}`).join('; ')}`);
  }
}
