// The admin job endpoints: the CLI's aggregate, repair, report regenerate-hourly and backfill, run
// by the same job functions under the same lock ('aggregate'), recorded in job_runs the same way.
//
// Lock rule: a request never waits for the lock (wait 0, not settings.lock_wait_seconds): while
// another run (a timer's, a shell's or another request's) holds it, the run is recorded as skipped
// and the answer is 409 at once, so a client is not kept waiting, nor a connection held, behind a
// job that may take minutes. The run itself happens within the request: the answer is its result.
import { z } from '@hono/zod-openapi';
import { VctpError } from '../../core/errors.js';
import { dayPeriod, monthPeriod, unixSeconds } from '../../core/periods.js';
import { parseTimeInput } from '../../core/time-input.js';
import { aggregateFailure, aggregationPeriod, runAggregate } from '../../jobs/aggregate.js';
import type { EngineName } from '../../jobs/aggregation-settings.js';
import { runBackfill } from '../../jobs/backfill.js';
import { runRepair } from '../../jobs/repair.js';
import { regenerateHourlyReports as regenerateHourly } from '../../jobs/report-pending.js';
import type { ServerDeps } from '../deps.js';
import { errorResponse } from '../http-errors.js';
import { operation } from '../operation.js';

/** Requests do not wait for a job lock: 409 at once (see the top of this file). */
export const HTTP_LOCK_WAIT_SECONDS = 0;

const TAGS = ['admin'];
const ERRORS = [404, 409, 502, 503];

function lockHeld(holder: string): VctpError {
  return new VctpError('lock', `another vctp run holds the aggregate lock (${holder}); nothing was done: try again when it has finished`);
}

const badField = (field: string, message: string) => errorResponse(400, 'usage', `${field}: ${message}`, { field });

const DAY_LABEL = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_LABEL = /^\d{4}-\d{2}$/;
const vcenterList = z.array(z.string().min(1)).optional().openapi({ description: 'Only these vCenters (as stored: host[:port]); default every one', example: ['vc1.example.com'] });
const engine = z.enum(['app', 'sql']).optional().openapi({ description: 'Aggregation engine; default settings.scheduled_aggregation_engine' });
const engineOf = (deps: ServerDeps, given: EngineName | undefined): EngineName => given ?? deps.settings.scheduled_aggregation_engine;
const dayField = z.string().regex(DAY_LABEL, 'expected a date YYYY-MM-DD');
/** A day label that is also a calendar date: 2026-02-30 names no day. */
function dayStart(field: string, label: string | undefined): number | Response | undefined {
  if (label === undefined) return undefined;
  try {
    return dayPeriod(label).start;
  } catch {
    return badField(field, `${label} is not a calendar date`);
  }
}

const aggregateResult = z.object({}).passthrough().openapi('AggregateResult', { description: 'As `vctp aggregate daily|monthly --json`: one outcome per vCenter, and the report written after it when async_report_generation is false' });

export const aggregate = operation({
  summary: 'Aggregate one day or month (vctp aggregate daily|monthly)',
  description:
    'Writes the daily or monthly summaries of one period for every vCenter with snapshots in it (or those named), like the CLI. ' +
    'A period that has not ended is refused unless partial is true. 409 while another run holds the aggregation lock, or when the period lies in a closed month (POST /api/months/{month}/reopen first); 502 when some vCenters failed (the others committed).',
  tags: TAGS,
  body: z
    .object({
      kind: z.enum(['daily', 'monthly']),
      date: z.string().optional().openapi({ description: 'YYYY-MM-DD (daily) or YYYY-MM (monthly); default the last complete UTC day or month', example: '2026-04-20' }),
      vcenter: vcenterList,
      engine,
      partial: z.boolean().optional().openapi({ description: 'Aggregate a day or month that has not ended yet, so far' }),
    })
    .strict()
    .superRefine((b, ctx) => {
      if (b.date === undefined) return;
      const ok = b.kind === 'daily' ? DAY_LABEL.test(b.date) : MONTH_LABEL.test(b.date);
      if (!ok) ctx.addIssue({ code: 'custom', path: ['date'], message: `expected ${b.kind === 'daily' ? 'a date YYYY-MM-DD' : 'a month YYYY-MM'} for a ${b.kind} aggregation` });
    }),
  response: aggregateResult,
  errors: ERRORS,
  async handle({ body, deps }) {
    let period;
    try {
      period = aggregationPeriod(deps.job, body.kind, body.date);
    } catch {
      return badField('body.date', `${body.date} is not a calendar ${body.kind === 'daily' ? 'date' : 'month'}`);
    }
    if (period.end > unixSeconds(deps.now()) && !body.partial) {
      return badField('body.date', `${period.label}: the ${body.kind === 'daily' ? 'day' : 'month'} has not ended yet (UTC); send "partial": true to aggregate it so far`);
    }
    const result = await runAggregate(deps.job, deps.settings, {
      kind: body.kind,
      period: period.label,
      engine: engineOf(deps, body.engine),
      vcenters: body.vcenter,
      partial: body.partial,
      lockWaitSeconds: HTTP_LOCK_WAIT_SECONDS,
    });
    if (result.skipped) throw lockHeld(result.holder);
    const failure = aggregateFailure(result);
    if (failure) throw failure;
    return result;
  },
});

const repairResult = z.object({}).passthrough().openapi('RepairResult', { description: 'As `vctp repair --json`: the range looked at and one action per stale or missing summary' });

async function repairWith(deps: ServerDeps, input: { all?: boolean; from?: number; to?: number; vcenter?: string[]; engine?: EngineName }) {
  const result = await runRepair(deps.job, deps.settings, {
    all: input.all,
    from: input.from,
    to: input.to,
    vcenters: input.vcenter,
    engine: engineOf(deps, input.engine),
    lockWaitSeconds: HTTP_LOCK_WAIT_SECONDS,
  });
  if (result.skipped) throw lockHeld(result.holder);
  const failed = result.actions.filter((a) => a.result === 'failed');
  if (failed.length > 0) {
    throw new VctpError('partial', `${failed.length} of ${result.actions.length} repairs failed: ${failed.map((f) => `${f.vcenter} ${f.period}: ${f.message}`).join('; ')}`);
  }
  return result;
}

export const repair = operation({
  summary: 'Re-aggregate missing or stale summaries (vctp repair)',
  description:
    'Aggregates the ended days (then months) that have snapshots but no summary, or a stale one, in [from, to] (default the last 45 complete days). ' +
    '409 while another run holds the aggregation lock; 502 when some failed.',
  tags: TAGS,
  body: z
    .object({
      from: dayField.optional().openapi({ description: 'First day, YYYY-MM-DD', example: '2026-04-01' }),
      to: dayField.optional().openapi({ description: 'Last day, YYYY-MM-DD (at most yesterday)', example: '2026-04-20' }),
      vcenter: vcenterList,
      engine,
    })
    .strict(),
  response: repairResult,
  errors: ERRORS,
  async handle({ body, deps }) {
    const from = dayStart('body.from', body.from);
    if (from instanceof Response) return from;
    const to = dayStart('body.to', body.to);
    if (to instanceof Response) return to;
    if (from !== undefined && to !== undefined && from > to) return badField('body.from', `${body.from} is after to ${body.to}`);
    return repairWith(deps, { from, to, vcenter: body.vcenter, engine: body.engine });
  },
});

export const repairAll = operation({
  summary: 'Re-aggregate every missing or stale summary (vctp repair --all)',
  description: 'As repair, over every day with snapshots. 409 while another run holds the aggregation lock; 502 when some failed.',
  tags: TAGS,
  body: z.object({ vcenter: vcenterList, engine }).strict(),
  response: repairResult,
  errors: ERRORS,
  async handle({ body, deps }) {
    return repairWith(deps, { all: true, vcenter: body.vcenter, engine: body.engine });
  },
});

const timeInput = z
  .union([z.number().int().nonnegative(), z.string().min(1)])
  .optional()
  .openapi({ description: 'Unix seconds or an ISO 8601 time (UTC unless it says)', example: '2026-04-21T00:00:00Z' });

export const regenerateHourlyReports = operation({
  summary: 'Rewrite the hourly reports of a time range (vctp report regenerate-hourly)',
  description:
    'Rewrites the hourly report of every UTC hour with a snapshot in [from, to] (default the last 24 hours). Takes no job lock (as the CLI); 502 when some reports failed (the others were written).',
  tags: TAGS,
  body: z.object({ from: timeInput, to: timeInput }).strict(),
  response: z.object({}).passthrough().openapi('RegeneratedReports', { description: 'As `vctp report regenerate-hourly --json`: written, fresh, failed' }),
  errors: [502, 503],
  async handle({ body, deps }) {
    const parse = (field: 'from' | 'to', value: number | string | undefined): number | undefined => {
      if (value === undefined) return undefined;
      return typeof value === 'number' ? value : parseTimeInput(`body.${field}`, value);
    };
    let from: number | undefined;
    let to: number | undefined;
    try {
      to = parse('to', body.to);
    } catch (error) {
      return badField('body.to', (error as Error).message.replace(/^body\.to /, ''));
    }
    try {
      from = parse('from', body.from);
    } catch (error) {
      return badField('body.from', (error as Error).message.replace(/^body\.from /, ''));
    }
    to ??= unixSeconds(deps.now());
    from ??= to - 86_400;
    if (from > to) return badField('body.from', 'is later than to');
    const result = await regenerateHourly(deps.job, deps.settings, from, to);
    if (result.failed.length > 0) {
      throw new VctpError('partial', `${result.failed.length} report(s) failed: ${result.failed.map((f) => `${f.kind} ${f.period}: ${f.error}`).join('; ')}`);
    }
    return result;
  },
});

export const rebuildCache = operation({
  summary: "Rebuild every vCenter's totals caches (vctp backfill)",
  description:
    'Rebuilds the latest, hourly, daily and monthly totals of every vCenter from the spans and the registered summaries, one transaction per vCenter. ' +
    '409 while another run holds the aggregation lock; 502 when some vCenters failed.',
  tags: TAGS,
  response: z.object({}).passthrough().openapi('BackfillResult', { description: 'As `vctp backfill --json`: one outcome per vCenter' }),
  errors: [409, 502, 503],
  async handle({ deps }) {
    const result = await runBackfill(deps.job, deps.settings, { lockWaitSeconds: HTTP_LOCK_WAIT_SECONDS });
    if (result.skipped) throw lockHeld(result.holder);
    const failed = result.outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      throw new VctpError('partial', `${failed.length} of ${result.outcomes.length} vCenters failed: ${failed.map((f) => `${f.vcenter}: ${'error' in f ? f.error : ''}`).join('; ')}`);
    }
    return result;
  },
});
