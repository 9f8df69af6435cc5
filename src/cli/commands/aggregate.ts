import { readRuntimeEnv } from '../../config/env.js';
import { VctpError } from '../../core/errors.js';
import { dayPeriod, lastCompleteDay, lastCompleteMonth, monthPeriod } from '../../core/periods.js';
import { runAggregate, type AggregateResult } from '../../jobs/aggregate.js';
import { chooseEngine } from '../../jobs/aggregation-settings.js';
import { afterJobReportError, type AfterJobReports, describeAfterJobReports, reportsAfterAggregate } from '../../jobs/report-after-job.js';
import { unixSeconds } from '../../jobs/context.js';
import { fixed, printJson, renderTable, stdoutOutput } from '../output.js';
import { parseIntegerFlag } from '../parse-time.js';
import { type GlobalOptions, withRuntime } from '../runtime.js';

export interface AggregateFlags {
  date?: string;
  month?: string;
  vcenter?: string[];
  engine?: string;
  partial?: boolean;
  lockWait?: string;
  json?: boolean;
}

export async function aggregateCommand(kind: 'daily' | 'monthly', globals: GlobalOptions, flags: AggregateFlags): Promise<void> {
  let reports: AfterJobReports | null = null;
  const result = await withRuntime(globals, async ({ settings, ctx }) => {
    const now = unixSeconds(ctx.now());
    const period =
      kind === 'daily'
        ? flags.date
          ? dayPeriod(flags.date)
          : lastCompleteDay(now)
        : flags.month
          ? monthPeriod(flags.month)
          : lastCompleteMonth(now);
    const env = readRuntimeEnv();
    const engine = chooseEngine(flags.engine, kind === 'daily' ? env.dailyAggregationEngine : env.monthlyAggregationEngine, settings);
    const aggregated = await runAggregate(ctx, settings, {
      kind,
      period,
      engine,
      vcenters: flags.vcenter,
      partial: flags.partial,
      lockWaitSeconds: flags.lockWait === undefined ? settings.lock_wait_seconds : parseIntegerFlag('--lock-wait', flags.lockWait),
    });
    // async_report_generation: false builds the report now, after the commit (never instead of it).
    reports = await reportsAfterAggregate(ctx, settings, period, aggregated.skipped ? 0 : aggregated.outcomes.filter((o) => o.ok).length);
    return aggregated;
  });
  print(result, flags.json ?? false);
  if (!flags.json) for (const line of describeAfterJobReports(reports)) stdoutOutput(false).write(line);
  const reportError = afterJobReportError(reports);
  if (!result.skipped) {
    const failed = result.outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      const message = `${failed.length} of ${result.outcomes.length} vCenters failed: ${failed.map((f) => `${f.vcenter}: ${'error' in f ? f.error : ''}`).join('; ')}`;
      throw new VctpError('partial', reportError ? `${message}; ${reportError.message}` : message);
    }
  }
  if (reportError) throw reportError;
}

function print(result: AggregateResult, json: boolean): void {
  const out = stdoutOutput(json);
  if (json) return printJson(out, result);
  if (result.skipped) return out.write(`another vctp aggregation is running (${result.holder}); this run did nothing`);
  if (result.outcomes.length === 0) return out.write('no vCenter has snapshots yet: nothing to aggregate');
  out.write(
    renderTable(
      ['vCenter', 'period', 'engine', 'VMs', 'samples', 'missed', 'result'],
      result.outcomes.map((o) =>
        o.ok
          ? [o.vcenter, o.period, o.engine, o.rows, `${o.totalSamples}/${o.expectedSamples}`, o.missingSamples, `ok (${fixed(o.durationMs / 1000, 2)} s)`]
          : [o.vcenter, o.period, '-', '-', '-', '-', `failed: ${o.error}`],
      ),
    ),
  );
}
