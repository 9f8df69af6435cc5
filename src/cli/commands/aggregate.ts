import { aggregateFailure, runAggregate, type AggregateResult } from '../../jobs/aggregate.js';
import { chooseEngine } from '../../jobs/aggregation-settings.js';
import { describeAfterJobReports } from '../../jobs/report-after-job.js';
import { fixed, printJson, renderTable, stdoutOutput } from '../output.js';
import { parseIntegerFlag } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface AggregateFlags {
  date?: string;
  month?: string;
  vcenter?: string[];
  engine?: string;
  partial?: boolean;
  lockWait?: string;
  json?: boolean;
}

export async function aggregateCommand(kind: 'daily' | 'monthly', globals: RuntimeOptions, flags: AggregateFlags): Promise<void> {
  const result = await withRuntime(globals, async ({ settings, ctx, env }) => {
    const engine = chooseEngine(flags.engine, kind === 'daily' ? env.dailyAggregationEngine : env.monthlyAggregationEngine, settings);
    return runAggregate(ctx, settings, {
      kind,
      period: kind === 'daily' ? flags.date : flags.month,
      engine,
      vcenters: flags.vcenter,
      partial: flags.partial,
      lockWaitSeconds: flags.lockWait === undefined ? settings.lock_wait_seconds : parseIntegerFlag('--lock-wait', flags.lockWait),
    });
  });
  print(result, flags.json ?? false);
  if (!flags.json && !result.skipped) for (const line of describeAfterJobReports(result.reports)) stdoutOutput(false).write(line);
  const failure = aggregateFailure(result);
  if (failure) throw failure;
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
