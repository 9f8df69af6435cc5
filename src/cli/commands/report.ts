import { VctpError } from '../../core/errors.js';
import { dayPeriod, lastCompleteDay, lastCompleteMonth, monthPeriod } from '../../core/periods.js';
import { unixSeconds } from '../../jobs/context.js';
import { regenerateHourlyReports, runPendingReports, type PendingResult } from '../../jobs/report-pending.js';
import { buildReport, type ReportRequest, type ReportResult } from '../../jobs/report.js';
import { alreadyReported, count, fixed, printJson, stdoutOutput, type Output } from '../output.js';
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
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const result = await withRuntime(globals, async ({ settings, ctx, log }) => {
    const now = unixSeconds(ctx.now());
    const request: ReportRequest =
      kind === 'hourly'
        ? { kind, at }
        : kind === 'daily'
          ? { kind, period: flags.date ? dayPeriod(flags.date) : lastCompleteDay(now) }
          : { kind, period: flags.month ? monthPeriod(flags.month) : lastCompleteMonth(now) };
    try {
      return await buildReport(ctx, settings, request, { vcenters: flags.vcenter, out: flags.out });
    } catch (error) {
      // buildReport logs every failure at error level before it throws: not printed again.
      throw error instanceof Error && log.isLevelEnabled('error') ? alreadyReported(error) : error;
    }
  });
  if (out.json) return printJson(out, result);
  out.write(describe(result));
}

export async function reportPendingCommand(globals: RuntimeOptions, flags: { json?: boolean }): Promise<void> {
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const { result, logsErrors } = await withRuntime(globals, async ({ settings, ctx, log }) => ({
    result: await runPendingReports(ctx, settings),
    logsErrors: log.isLevelEnabled('error'),
  }));
  printBatch(out, result, 'every report is up to date', logsErrors);
}

export async function reportRegenerateHourlyCommand(globals: RuntimeOptions, flags: { from?: string; to?: string; json?: boolean }): Promise<void> {
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const { result, logsErrors } = await withRuntime(globals, async ({ settings, ctx, log }) => {
    const now = unixSeconds(ctx.now());
    const to = flags.to === undefined ? now : parseTimeFlag('--to', flags.to);
    const from = flags.from === undefined ? to - 86_400 : parseTimeFlag('--from', flags.from);
    if (from > to) throw new VctpError('usage', `--from ${flags.from} is later than --to ${flags.to ?? '(now)'}`);
    return { result: await regenerateHourlyReports(ctx, settings, from, to), logsErrors: log.isLevelEnabled('error') };
  });
  printBatch(out, result, 'no hourly snapshots in that range', logsErrors);
}

function describe(r: ReportResult): string {
  return `${r.kind} report ${r.period} written: ${r.path} (${count(r.vmRows)} VMs, ${r.vcenters.length} vCenters, ${r.charts} charts, ${fixed(r.durationMs / 1000, 1)} s)`;
}

function printBatch(out: Output, result: PendingResult, nothing: string, logsErrors: boolean): void {
  if (out.json) printJson(out, result);
  else if (result.written.length === 0 && result.failed.length === 0) out.write(`${nothing}${result.fresh ? ` (${count(result.fresh)} up to date)` : ''}`);
  else {
    out.table(
      ['report', 'period', 'result'],
      [
        ...result.written.map((r) => [r.kind, r.period, `written: ${r.path} (${count(r.vmRows)} VMs, ${fixed(r.durationMs / 1000, 1)} s)`]),
        // The error itself is in the report's log line (and in --json).
        ...result.failed.map((f) => [f.kind, f.period, 'failed, no file was written']),
      ],
    );
    out.write(`${count(result.written.length)} written, ${count(result.fresh)} up to date, ${count(result.failed.length)} failed`);
  }
  if (result.failed.length > 0) {
    const failure = new VctpError('partial', `${result.failed.length} report(s) failed: ${result.failed.map((f) => `${f.kind} ${f.period}: ${f.error}`).join('; ')}`);
    throw logsErrors ? alreadyReported(failure) : failure;
  }
}
