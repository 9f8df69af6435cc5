// GET /api/vcenters and /api/vcenters/totals: what `vctp status` and `vctp totals --json` give.
import { z } from '@hono/zod-openapi';
import { reportCost } from '../../core/report-currency.js';
import { readStatus } from '../../queries/status.js';
import { unixSeconds } from '../../core/periods.js';
import { readDataVersion } from '../../queries/data-version.js';
import { readTotals, windowStart } from '../../queries/totals.js';
import { answerResponse } from '../answer-cache.js';
import { operation } from '../operation.js';
import { dayString, intParam, listParam, timeFields, vcenterTotalsSchema } from './read-schemas.js';

const TAGS = ['vcenters'];

/** Days of totals by default: the spec's "Hourly Detail 45d", and the CLI's --days default. */
export const TOTALS_DEFAULT_DAYS = 45;
/**
 * Hourly rows are one per snapshot: 45 days of 8 vCenters is 8,640 rows, what the hourly page
 * draws; more is a download, which the reports are for. Daily and monthly rows are one per day or
 * month, so 10 years is still small.
 */
export const HOURLY_TOTALS_MAX_DAYS = 45;
export const TOTALS_MAX_DAYS = 3660;

const missedDay = z.object({
  day: dayString,
  expected: z.number().int(),
  present: z.number().int(),
  missing: z.number().int(),
  source: z.enum(['summary', 'snapshots']).openapi({ description: 'summary: the day\'s daily summary counted it; snapshots: not aggregated yet, its hourly snapshots were counted' }),
});

export const missedSnapshotsSchema = z
  .object({
    from: dayString.nullable().openapi({ description: 'First day checked; null when none could be' }),
    to: dayString.nullable(),
    daysChecked: z.number().int(),
    missing: z.number().int().openapi({ description: 'Snapshots missed over the days checked' }),
    days: z.array(missedDay).openapi({ description: 'The days with missed snapshots' }),
  })
  .openapi('MissedSnapshots');

const vcenterStatus = z
  .object({
    vcenter: z.string().openapi({ example: 'vc1.example.com' }),
    configured: z.boolean().openapi({ description: 'In settings.vcenter_addresses or settings.vcenters (false: only its history is stored)' }),
    ...timeFields('latestSnapshot', 'The latest hourly snapshot'),
    // A union, not .nullable(): the OpenAPI generator drops null from a named schema's reference.
    totals: z.union([vcenterTotalsSchema, z.null()]).openapi({ description: 'The latest snapshot\'s totals; null before the first' }),
    lastSnapshotJob: z
      .object({
        status: z.enum(['ok', 'failed', 'skipped', 'interrupted']),
        ...timeFields('finishedAt', 'When it ended', 'required'),
        attempts: z.number().int(),
        error: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: 'The last snapshot run for this vCenter; null when none ran' }),
    missedSnapshots: missedSnapshotsSchema,
  })
  .openapi('VcenterStatus');

const runningJob = z
  .object({
    job: z.string().openapi({ description: 'The job lock: snapshot:<vCenter> or aggregate:<vCenter> (one vCenter), snapshot or aggregate (every vCenter)', example: 'snapshot:vc1.example.com' }),
    state: z.enum(['running', 'stale']).openapi({ description: 'stale: the holder is provably gone (or its lease ran out); the next run takes the lock over' }),
    holder: z.string().nullable().openapi({ description: 'host:pid as the holder recorded it; null when its row is not written yet', example: 'host01:4242' }),
    host: z.string().nullable(),
    pid: z.number().int().nullable().openapi({ description: 'The holder\'s pid, in its own pid namespace' }),
    ...timeFields('since', 'When the holder took the lock'),
    detail: z.string().nullable().openapi({ description: 'stale: why; null when running' }),
  })
  .openapi('RunningJob');

export const listVcenters = operation({
  summary: 'Every vCenter with its latest totals (vctp status)',
  description:
    'Every configured vCenter and every vCenter with stored snapshots: its latest snapshot and that snapshot\'s totals, ' +
    'the last snapshot run, and the snapshots missed over the last complete days; and the jobs running now (the job locks held, with their holders).',
  tags: TAGS,
  response: z
    .object({
      missedSnapshotDays: z.number().int().openapi({ description: 'Complete days before today checked for missed snapshots' }),
      vcenters: z.array(vcenterStatus),
      running: z.array(runningJob).openapi({ description: 'The job locks held now (vctp status): the job and its holder' }),
    })
    .openapi('VcenterList'),
  async handle({ deps }) {
    const status = await readStatus(deps.query, deps.settings);
    return { missedSnapshotDays: status.missedSnapshotDays, vcenters: status.vcenters, running: status.running };
  },
});

const totalsCost = z
  .object({
    vcpu: z.number(),
    ram: z.number(),
    disk: z.number(),
    vm: z.number(),
    total: z.number().openapi({ description: '((vcpu + ram) + disk) + vm' }),
  })
  .openapi('TotalsCost', {
    description:
      'The period\'s cost in the rate cards\' currency: its VMs\' charged units (per class: tier prices, or the templates, SRM or node_charged price) added up exactly, then divided once; 0 without rate cards',
  });

const totalsRow = z
  .object({
    vcenter: z.string(),
    ...timeFields('time', 'The snapshot (hourly) or the period\'s start (daily, monthly)', 'required'),
    period: z.string().openapi({ description: 'The snapshot\'s ISO time, the day YYYY-MM-DD or the month YYYY-MM', example: '2026-04-20' }),
    totals: vcenterTotalsSchema,
    // A union, not .nullable(): the OpenAPI generator drops null from a named schema's reference.
    cost: z.union([totalsCost, z.null()]).openapi({
      description: 'Daily and monthly rows: the period\'s cost; null on hourly rows (vctp prices days and months) and on periods aggregated before vctp priced them',
    }),
    samples: z
      .object({ expected: z.number().int(), present: z.number().int(), missing: z.number().int() })
      .nullable()
      .openapi({ description: 'Daily and monthly rows: snapshots the period expects and has (missing > 0: its averages cover only the snapshots taken); null on hourly rows' }),
  })
  .openapi('TotalsRow');

export const vcenterTotals = operation({
  summary: 'vCenter totals over time (vctp totals)',
  description:
    'Rows of the vCenter totals cache: one per hourly snapshot, or per day or month prorated over the period. ' +
    `days: the periods that overlap the last days (monthly: the months covering them); at most ${HOURLY_TOTALS_MAX_DAYS} for hourly rows, ${TOTALS_MAX_DAYS} otherwise.`,
  tags: TAGS,
  query: z
    .object({
      view: z.enum(['hourly', 'daily', 'monthly']).default('daily').openapi({ description: 'Row per snapshot, day or month' }),
      days: intParam(1, TOTALS_MAX_DAYS, TOTALS_DEFAULT_DAYS, `Days back from now (hourly: at most ${HOURLY_TOTALS_MAX_DAYS})`),
      vcenter: listParam('Only these vCenters', 'vc1.example.com'),
    })
    .superRefine((q, ctx) => {
      if (q.view === 'hourly' && q.days > HOURLY_TOTALS_MAX_DAYS) {
        ctx.addIssue({ code: 'too_big', origin: 'number', maximum: HOURLY_TOTALS_MAX_DAYS, inclusive: true, path: ['days'], input: q.days, message: `must be <= ${HOURLY_TOTALS_MAX_DAYS} for hourly rows` });
      }
    }),
  response: z
    .object({
      view: z.enum(['hourly', 'daily', 'monthly']),
      days: z.number().int(),
      ...timeFields('since', 'Start of the first period shown', 'required'),
      currency: z.string().nullable().openapi({ description: 'The rate cards\' currency, of every row\'s cost; null without rate cards', example: 'EUR' }),
      rows: z.array(totalsRow).openapi({ description: 'By vCenter, then time' }),
    })
    .openapi('TotalsReport'),
  // Reused until the next job run of any process ends (answer-cache.ts): the key is the normalized
  // request, the version the data version (read first) and the window start the query computes from
  // the same instant (hourly: it moves every second, so an hourly answer is reused within its second).
  async handle({ query, deps, request }) {
    const nowMs = deps.now();
    const version = await readDataVersion(deps.query);
    const since = windowStart(query.view, unixSeconds(nowMs), query.days);
    const vcenters = query.vcenter ? [...new Set(query.vcenter)].sort() : [];
    const key = `totals ${query.view} ${query.days} ${JSON.stringify(vcenters)}`;
    const answer = await deps.answers.answer(key, `${version} ${since}`, () =>
      readTotals(
        { ...deps.query, now: () => nowMs },
        { view: query.view, days: query.days, vcenters: query.vcenter, currency: reportCost(deps.settings)?.currency ?? null },
      ),
    );
    return answerResponse(answer, request);
  },
});
