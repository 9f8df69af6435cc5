// GET /api/diagnostics/daily-creation: VMs per day with and without a creation time.
import { z } from '@hono/zod-openapi';
import { DAILY_CREATION_DEFAULT_DAYS, DAILY_CREATION_MAX_DAYS, readDailyCreation } from '../../queries/daily-creation.js';
import { operation } from '../operation.js';
import { dayString, intParam, timeFields } from './read-schemas.js';

const creationDay = z
  .object({
    day: dayString,
    ...timeFields('time', '00:00 UTC of the day', 'required'),
    snapshots: z.number().int().openapi({ description: 'The vCenter\'s hourly snapshots that day' }),
    vms: z.number().int().openapi({ description: 'VMs in at least one of them' }),
    withCreationTime: z.number().int().openapi({ description: 'Of vms: with a creation time from vCenter' }),
    withoutCreationTime: z.number().int().openapi({ description: 'Of vms: vCenter gave none (prorated from when vctp first saw them)' }),
    createdThatDay: z.number().int().openapi({ description: 'Of vms: created that day' }),
  })
  .openapi('CreationDay');

export const dailyCreation = operation({
  summary: 'VMs per day with and without a known creation time',
  description:
    'Per vCenter and UTC day of the last days (today so far included): the VMs seen in that day\'s snapshots, and how many of them vCenter gave a creation time. ' +
    'A VM without one is prorated from its first snapshot. Counted from the stored snapshots, so days not aggregated yet count too.',
  tags: ['diagnostics'],
  query: z.object({
    days: intParam(1, DAILY_CREATION_MAX_DAYS, DAILY_CREATION_DEFAULT_DAYS, 'Days up to today'),
  }),
  response: z
    .object({
      days: z.number().int(),
      from: dayString,
      to: dayString,
      vcenters: z.array(z.object({ vcenter: z.string(), days: z.array(creationDay) })),
    })
    .openapi('DailyCreationReport'),
  async handle({ query, deps }) {
    return readDailyCreation(deps.query, query.days);
  },
});
