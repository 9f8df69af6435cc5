// Runs daily or monthly aggregation for each selected vCenter under the aggregation lock, and
// records each vCenter's run in job_runs. One vCenter's failure does not stop the others.
import { VctpError } from '../core/errors.js';
import type { Period } from '../core/periods.js';
import { recordJobRun } from '../store/job-runs-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { aggregateDay, type PeriodOutcome } from './aggregate-daily.js';
import { aggregateMonth } from './aggregate-monthly.js';
import type { AggregationSettings, EngineName } from './aggregation-settings.js';
import { type JobContext, unixSeconds } from './context.js';
import { withJobLock } from './job-lock.js';

export interface AggregateInput {
  kind: 'daily' | 'monthly';
  period: Period;
  engine: EngineName;
  vcenters?: readonly string[];
  partial?: boolean;
  lockWaitSeconds: number;
}

export type AggregateOutcome = (PeriodOutcome & { ok: true }) | { ok: false; vcenter: string; period: string; error: string };

export type AggregateResult = { skipped: true; holder: string } | { skipped: false; outcomes: AggregateOutcome[] };

export async function runAggregate(ctx: JobContext, settings: AggregationSettings, input: AggregateInput): Promise<AggregateResult> {
  const known = await listVcenters(ctx.store);
  const unknown = (input.vcenters ?? []).filter((name) => !known.some((v) => v.name === name));
  if (unknown.length > 0) {
    throw new VctpError('usage', `--vcenter ${unknown.join(', ')}: no snapshots of such a vCenter (known: ${known.map((v) => v.name).join(', ') || 'none'})`);
  }
  const selected = input.vcenters?.length ? known.filter((v) => input.vcenters!.includes(v.name)) : known;
  const job = `aggregate-${input.kind}`;
  const locked = await withJobLock(ctx, 'aggregate', input.lockWaitSeconds, async () => {
    const outcomes: AggregateOutcome[] = [];
    for (const vc of selected) {
      const started = ctx.now();
      const args = { period: input.period, vcenterId: vc.id, vcenter: vc.name, engine: input.engine, partial: input.partial };
      try {
        const outcome = input.kind === 'daily' ? await aggregateDay(ctx, settings, args) : await aggregateMonth(ctx, settings, args);
        await recordJobRun(ctx.store, {
          job,
          vcenter: vc.name,
          startedAt: unixSeconds(started),
          finishedAt: unixSeconds(ctx.now()),
          status: 'ok',
          durationMs: ctx.now() - started,
          attempts: 1,
          rows: outcome.rows,
          error: null,
        });
        if (outcome.missingSamples > 0) {
          ctx.log.warn({ vcenter: vc.name, period: outcome.period, expected: outcome.expectedSamples, present: outcome.totalSamples }, 'snapshots missing in this period');
        }
        outcomes.push({ ...outcome, ok: true });
      } catch (error) {
        if (error instanceof VctpError && error.code === 'usage') throw error;
        const message = (error as Error).message;
        ctx.log.error({ vcenter: vc.name, period: input.period.label, err: message }, `${job} failed; the previous summaries are kept`);
        await recordJobRun(ctx.store, {
          job,
          vcenter: vc.name,
          startedAt: unixSeconds(started),
          finishedAt: unixSeconds(ctx.now()),
          status: 'failed',
          durationMs: ctx.now() - started,
          attempts: 1,
          rows: null,
          error: message,
        });
        outcomes.push({ ok: false, vcenter: vc.name, period: input.period.label, error: message });
      }
    }
    return outcomes;
  });
  if (!locked.acquired) return { skipped: true, holder: locked.holder };
  return { skipped: false, outcomes: locked.result };
}
