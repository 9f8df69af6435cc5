import { aggregateFailure, runAggregate, type AggregateResult } from '../../jobs/aggregate.js';
import { chooseEngine } from '../../jobs/aggregation-settings.js';
import { alreadyReported, fixed, printAfterJobReports, printJson, stdoutOutput, type Output } from '../output.js';
import { formatTime, parseIntegerFlag } from '../parse-time.js';
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
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const { result, engine, logsErrors } = await withRuntime(globals, async ({ settings, ctx, env, log }) => {
    const engine = chooseEngine(flags.engine, kind === 'daily' ? env.dailyAggregationEngine : env.monthlyAggregationEngine, settings);
    const result = await runAggregate(ctx, settings, {
      kind,
      period: kind === 'daily' ? flags.date : flags.month,
      engine,
      vcenters: flags.vcenter,
      partial: flags.partial,
      lockWaitSeconds: flags.lockWait === undefined ? settings.lock_wait_seconds : parseIntegerFlag('--lock-wait', flags.lockWait),
    });
    return { result, engine, logsErrors: log.isLevelEnabled('error') };
  });
  print(out, kind, engine, result);
  // Each failed vCenter and report was logged at error level by the job: not printed again.
  const failure = aggregateFailure(result);
  if (failure) throw logsErrors ? alreadyReported(failure) : failure;
}

function print(out: Output, kind: 'daily' | 'monthly', engine: string, result: AggregateResult): void {
  if (out.json) return printJson(out, result);
  if (result.skipped) return out.write(`another vctp aggregation is running (${result.holder}); this run did nothing`);
  if (result.closed) {
    const c = result.closed;
    return out.write(`${kind} summaries of ${c.period}: not aggregated, the month ${c.month} is closed (by ${c.closedBy} at ${formatTime(c.closedAt)}); its figures are final`);
  }
  // One period and one engine per run: said once, above the table.
  const label = result.outcomes[0]?.period;
  out.write(label === undefined ? `${kind} summaries, engine ${engine}:` : `${kind} summaries of ${label}, engine ${engine}:`);
  out.table(
    ['vCenter', 'VMs', 'samples', 'missed', 'result'],
    [
      ...result.outcomes.map((o) =>
        o.ok
          ? [o.vcenter, o.rows, `${o.totalSamples}/${o.expectedSamples}`, o.missingSamples, `ok (${fixed(o.durationMs / 1000, 2)} s)`]
          : // The error itself is in the job's log line for this vCenter (and in --json).
            [o.vcenter, null, null, null, 'failed; the previous summaries are kept'],
      ),
      // Left to another collector sharing the database (src/jobs/aggregate.ts).
      ...(result.byOthers ?? []).map((o) => [o.vcenter, null, null, null, o.done ? `aggregated by ${o.holder}` : `left to ${o.holder} (aggregating it)`]),
    ],
  );
  printAfterJobReports(out, result.reports);
}
