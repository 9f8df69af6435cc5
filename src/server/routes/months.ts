// GET /api/months and POST /api/months/{month}/close|reopen: closed months, by the CLI's job
// (src/jobs/month-close.ts) under the same lock and with the same refusals. Who: the request's user
// ('anonymous' when auth is disabled). A request never waits for the lock (admin-jobs.ts): 409 at once.
import { z } from '@hono/zod-openapi';
import { VctpError } from '../../core/errors.js';
import { CLOSURE_REASON_MAX_CHARS, parseMonthArgument } from '../../core/month-closure.js';
import { runMonthClose, runMonthReopen } from '../../jobs/month-close.js';
import { listMonths } from '../../queries/months.js';
import { operation } from '../operation.js';
import { HTTP_LOCK_WAIT_SECONDS } from './admin-jobs.js';
import { auditUser } from './import-vm.js';
import { timeFields } from './read-schemas.js';

const monthLabel = z.string().regex(/^\d{4}-\d{2}$/, 'expected a month YYYY-MM').openapi({ example: '2026-03' });
const monthParams = z.object({ month: monthLabel.openapi({ description: 'The month, YYYY-MM (UTC)' }) });
const rateCards = z.array(z.object({}).passthrough()).openapi({ description: 'The rate cards that priced the month, as settings.rate_cards gave them when it was closed' });

const closedMonth = z
  .object({
    month: monthLabel,
    ...timeFields('closedAt', 'When it was closed', 'required'),
    closedBy: z.string(),
    reason: z.string(),
    currency: z.string().nullable(),
    rateCards,
  })
  .openapi('ClosedMonth');

const monthEvent = z
  .object({
    id: z.number().int(),
    month: monthLabel,
    action: z.enum(['close', 'reopen']),
    ...timeFields('time', 'When', 'required'),
    by: z.string(),
    reason: z.string(),
  })
  .openapi('MonthEvent');

export const listClosedMonths = operation({
  summary: 'Closed months and their history (vctp month list)',
  description: 'The closed months (who, when, why, currency, the rate cards that priced each) and every close and reopen, oldest first.',
  tags: ['months'],
  response: z.object({ closed: z.array(closedMonth), events: z.array(monthEvent) }).openapi('Months'),
  async handle({ deps }) {
    return listMonths(deps.query);
  },
});

const reason = (required: boolean) =>
  (required ? z.string().trim().min(1) : z.string().trim())
    .max(CLOSURE_REASON_MAX_CHARS)
    .openapi({ description: required ? 'Why it is reopened (kept with the month\'s history)' : 'Why (kept with the month\'s history)', example: 'Q1 invoiced' });

function lockHeld(holder: string): VctpError {
  return new VctpError('lock', `another vctp run holds the aggregate lock (${holder}); nothing was changed: try again when it has finished`);
}

export const closeMonth = operation({
  summary: 'Close a month (vctp month close)',
  description:
    "Makes an ended month's monthly summaries, totals and cost final: re-aggregating it or any of its days, repairing, retention-trimming, " +
    'storing or deleting a snapshot in it and correcting a VM lifecycle over it are refused until it is reopened. ' +
    '400 when the month has not ended or its monthly summaries are missing or stale (the message names the vCenters); 409 when it is closed already, or while another run holds the aggregation lock.',
  tags: ['months'],
  params: monthParams,
  body: z.object({ reason: reason(false).optional() }).strict().openapi({ description: '`{}` when no reason is given' }),
  response: z
    .object({
      skipped: z.literal(false),
      month: monthLabel,
      ...timeFields('closedAt', 'When it was closed', 'required'),
      closedBy: z.string(),
      reason: z.string(),
      currency: z.string().nullable(),
      rateCards,
      vcenters: z.array(z.string()).openapi({ description: 'The vCenters whose figures of the month are now final' }),
      eventId: z.number().int(),
    })
    .openapi('MonthClosed'),
  errors: [409, 503],
  async handle({ params, body, deps, user }) {
    const result = await runMonthClose(deps.job, deps.settings, {
      month: parseMonthArgument('path.month', params.month),
      reason: body.reason ?? '',
      user: auditUser(user),
      lockWaitSeconds: HTTP_LOCK_WAIT_SECONDS,
    });
    if (result.skipped) throw lockHeld(result.holder);
    return result;
  },
});

export const reopenMonth = operation({
  summary: 'Reopen a closed month (vctp month reopen)',
  description: 'Lets a closed month be aggregated, repaired and trimmed again; the reason is required. 400 when the month is not closed; 409 while another run holds the aggregation lock.',
  tags: ['months'],
  params: monthParams,
  body: z.object({ reason: reason(true) }).strict(),
  response: z
    .object({
      skipped: z.literal(false),
      month: monthLabel,
      ...timeFields('reopenedAt', 'When it was reopened', 'required'),
      reopenedBy: z.string(),
      reason: z.string(),
      ...timeFields('closedAt', 'When it had been closed', 'required'),
      closedBy: z.string(),
      eventId: z.number().int(),
    })
    .openapi('MonthReopened'),
  errors: [409, 503],
  async handle({ params, body, deps, user }) {
    const result = await runMonthReopen(deps.job, {
      month: parseMonthArgument('path.month', params.month),
      reason: body.reason,
      user: auditUser(user),
      lockWaitSeconds: HTTP_LOCK_WAIT_SECONDS,
    });
    if (result.skipped) throw lockHeld(result.holder);
    return result;
  },
});
