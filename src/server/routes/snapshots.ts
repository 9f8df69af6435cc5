// GET /api/snapshots (the snapshot registry) and /api/snapshots/missed (missed snapshots per vCenter).
import { z } from '@hono/zod-openapi';
import { MISSED_DEFAULT_DAYS, MISSED_MAX_DAYS, readMissedSnapshots } from '../../queries/missed-snapshots.js';
import { listSnapshots as readRegistry, REGISTRY_KINDS, SNAPSHOT_LIST_DEFAULT_LIMIT, SNAPSHOT_LIST_MAX_LIMIT } from '../../queries/snapshot-registry.js';
import { operation } from '../operation.js';
import { intParam, listParam, timeFields, timeParam } from './read-schemas.js';
import { missedSnapshotsSchema } from './vcenters.js';

const TAGS = ['snapshots'];
const kindEnum = z.enum(REGISTRY_KINDS as ['hourly', 'daily', 'monthly']);

const registryRow = z
  .object({
    vcenter: z.string(),
    kind: kindEnum,
    ...timeFields('snapshotTime', 'The snapshot, or the start of the summarised day or month', 'required'),
    rows: z.number().int().openapi({ description: 'VMs captured, or summary rows written' }),
    durationMs: z.number().int(),
    ...timeFields('registeredAt', 'When the row was written (a re-aggregation rewrites it)', 'required'),
    expectedSamples: z.number().int().nullable().openapi({ description: 'Daily and monthly rows: snapshots the cadence expects' }),
    totalSamples: z.number().int().nullable().openapi({ description: 'Daily and monthly rows: snapshots the vCenter has' }),
  })
  .openapi('SnapshotRegistryRow');

export const listSnapshots = operation({
  summary: 'Snapshots and summaries taken (snapshot_registry)',
  description: 'One row per hourly snapshot and per daily or monthly summary of each vCenter, newest first. truncated: more rows match than limit.',
  tags: TAGS,
  query: z.object({
    vcenter: listParam('Only these vCenters', 'vc1.example.com'),
    kind: z
      .union([kindEnum, z.array(kindEnum)])
      .optional()
      .transform((k) => (k === undefined ? undefined : Array.isArray(k) ? k : [k]))
      .openapi({ description: 'Only these kinds (repeat the parameter for several)' }),
    from: timeParam('start', 'Only rows at or after', '2026-04-20'),
    to: timeParam('end', 'Only rows at or before', '2026-04-21'),
    limit: intParam(1, SNAPSHOT_LIST_MAX_LIMIT, SNAPSHOT_LIST_DEFAULT_LIMIT, 'At most this many rows'),
  }),
  response: z
    .object({
      ...timeFields('from', 'The from bound asked', 'optional'),
      ...timeFields('to', 'The to bound asked', 'optional'),
      limit: z.number().int(),
      truncated: z.boolean(),
      snapshots: z.array(registryRow),
    })
    .openapi('SnapshotList'),
  async handle({ query, deps }) {
    return readRegistry(deps.query, { vcenters: query.vcenter, kinds: query.kind, from: query.from, to: query.to, limit: query.limit });
  },
});

export const missedSnapshots = operation({
  summary: 'Snapshots missed per vCenter and day',
  description:
    'For each vCenter (configured or with stored snapshots), the complete UTC days of the last days with fewer snapshots than the cadence expects: ' +
    'counted by the day\'s daily summary, or by its hourly snapshots when it is not aggregated yet. Days before a vCenter\'s first snapshot are not checked.',
  tags: TAGS,
  query: z.object({
    days: intParam(1, MISSED_MAX_DAYS, MISSED_DEFAULT_DAYS, 'Complete days before today to check'),
  }),
  response: z
    .object({
      days: z.number().int(),
      vcenters: z.array(z.object({ vcenter: z.string(), configured: z.boolean() }).extend(missedSnapshotsSchema.shape)),
    })
    .openapi('MissedSnapshotsReport'),
  async handle({ query, deps }) {
    return readMissedSnapshots(deps.query, deps.settings, query.days);
  },
});
