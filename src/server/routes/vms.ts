// GET /api/vm/trace (what `vctp trace --json` gives) and /api/vm/search (the VMs a text names).
import { z } from '@hono/zod-openapi';
import { unixSeconds } from '../../core/periods.js';
import { traceVm as readTrace, TRACKED_FIELDS } from '../../queries/trace.js';
import { TRACE_DEFAULT_DAYS, traceWindow } from '../../queries/trace-window.js';
import { searchVms as readSearch, VM_SEARCH_DEFAULT_LIMIT, VM_SEARCH_MATCHES, VM_SEARCH_MAX_LIMIT, VM_SEARCH_MAX_TEXT } from '../../queries/vm-search.js';
import { operation } from '../operation.js';
import { dayString, intParam, tierSchema, timeFields, timeParam } from './read-schemas.js';

const TAGS = ['vms'];

/** The state a span or summary row holds (identity, placement, sizing, flags). */
const stateFields = {
  name: z.string(),
  vmUuid: z.string().nullable().openapi({ description: 'config.uuid (the BIOS uuid)' }),
  instanceUuid: z.string().nullable().openapi({ description: 'config.instanceUuid' }),
  eventKey: z.string().nullable(),
  cloudId: z.string().nullable(),
  resourcePool: z.string().nullable(),
  tier: tierSchema,
  datacenter: z.string().nullable(),
  cluster: z.string().nullable(),
  folder: z.string().nullable(),
  provisionedDiskGb: z.number(),
  vcpuCount: z.number().int(),
  ramGb: z.number(),
  isTemplate: z.boolean(),
  poweredOn: z.boolean(),
  srmPlaceholder: z.boolean(),
};

const hourlyRow = z
  .object({
    ...timeFields('time', 'The snapshot', 'required'),
    vcenter: z.string(),
    ...stateFields,
    changed: z.array(z.enum(TRACKED_FIELDS)).openapi({ description: 'Fields that differ from the VM\'s previous sample' }),
    notes: z.array(z.enum(['new', 'returned', 'gone after'])).openapi({ description: 'new: first sample; returned: absent from the snapshot(s) before; gone after: absent from the next' }),
  })
  .openapi('TraceHourlyRow');

const dailyRow = z
  .object({
    day: dayString,
    ...timeFields('time', '00:00 UTC of the day', 'required'),
    name: z.string(),
    resourcePool: z.string().nullable(),
    tier: tierSchema,
    vcpuCount: z.number().int(),
    ramGb: z.number(),
    provisionedDiskGb: z.number(),
    poweredOn: z.boolean(),
    samplesPresent: z.number().int(),
    totalSamples: z.number().int(),
    expectedSamples: z.number().int().nullable(),
    missedSamples: z.number().int().nullable().openapi({ description: 'Snapshots the vCenter missed that day; null when unknown' }),
    avgIsPresent: z.number(),
    avgVcpuCount: z.number(),
    avgRamGb: z.number(),
    avgProvisionedDisk: z.number(),
    poolTinPct: z.number(),
    poolBronzePct: z.number(),
    poolSilverPct: z.number(),
    poolGoldPct: z.number(),
    tin: z.number(),
    bronze: z.number(),
    silver: z.number(),
    gold: z.number(),
  })
  .openapi('TraceDailyRow');

const matchedBy = z.array(z.enum(['name', 'uuid', 'vm_id'])).openapi({ description: 'What the text matched: a name, a uuid, the managed object id' });

const tracedVm = z
  .object({
    vcenter: z.string(),
    vmId: z.string().openapi({ example: 'vm-42' }),
    inventoryId: z.number().int(),
    matchedBy,
    name: z.string().nullable(),
    vmUuid: z.string().nullable(),
    instanceUuid: z.string().nullable(),
    lifecycle: z.object({
      ...timeFields('creationTime', 'Creation time as vCenter gave it (null: it gave none)'),
      ...timeFields('deletionTime', 'Deletion time (null while the VM exists or when unknown)'),
      ...timeFields('firstSeen', 'First snapshot the VM was in', 'required'),
      ...timeFields('lastSeen', 'Latest snapshot the VM was in'),
      present: z.boolean().openapi({ description: 'In its vCenter\'s latest snapshot' }),
    }),
    hourly: z.array(hourlyRow).optional().openapi({ description: 'view=hourly: one row per snapshot of the VM in the window' }),
    daily: z.array(dailyRow).optional().openapi({ description: 'view=daily: its daily summaries in the window' }),
  })
  .openapi('TracedVm');

export const traceVm = operation({
  summary: 'One VM over time (vctp trace)',
  description:
    'The VMs the text names (by any name they have had, whole, ignoring ASCII case; by managed object id; or, when it is shaped like a uuid, by ' +
    'BIOS or instance uuid; at most 20), each with its lifecycle and ' +
    'its rows in the window: hourly, every snapshot with what changed since the one before; daily, its daily summaries. ' +
    `Default window: the last ${TRACE_DEFAULT_DAYS.hourly} days (hourly) or ${TRACE_DEFAULT_DAYS.daily} whole days (daily) up to to. 404 when no VM matches.`,
  tags: TAGS,
  query: z.object({
    vm: z.string().trim().min(1).max(256).openapi({ description: 'A VM name, managed object id (vm-42) or uuid', example: 'web01' }),
    view: z.enum(['hourly', 'daily']).default('hourly'),
    from: timeParam('start', 'Start of the window (inclusive)', '2026-04-20'),
    to: timeParam('end', 'End of the window (inclusive); default now', '2026-04-21T12:00:00Z'),
    vcenter: z.string().trim().min(1).max(256).optional().openapi({ description: 'Only VMs of this vCenter' }),
  }),
  response: z
    .object({
      query: z.string(),
      view: z.enum(['hourly', 'daily']),
      ...timeFields('from', 'Start of the window', 'required'),
      ...timeFields('to', 'End of the window', 'required'),
      vcenter: z.string().nullable(),
      vms: z.array(tracedVm),
    })
    .openapi('TraceResult'),
  errors: [404],
  async handle({ query, deps }) {
    const window = traceWindow(query.view, unixSeconds(deps.now()), query.from, query.to);
    return readTrace(deps.query, { vm: query.vm, view: query.view, ...window, vcenter: query.vcenter });
  },
});

const searchHit = z
  .object({
    vcenter: z.string(),
    vmId: z.string(),
    inventoryId: z.number().int(),
    matchedBy,
    name: z.string().openapi({ description: 'Its latest name' }),
    vmUuid: z.string().nullable(),
    instanceUuid: z.string().nullable(),
    poweredOn: z.boolean(),
    vcpuCount: z.number().int(),
    ramGb: z.number(),
    provisionedDiskGb: z.number(),
    isTemplate: z.boolean(),
    tier: tierSchema,
    resourcePool: z.string().nullable(),
    datacenter: z.string().nullable(),
    cluster: z.string().nullable(),
    folder: z.string().nullable(),
    ...timeFields('creationTime', 'Creation time as vCenter gave it (null: it gave none)'),
    ...timeFields('deletionTime', 'Deletion time (null while it exists or when unknown)'),
    ...timeFields('firstSeen', 'First snapshot the VM was in', 'required'),
    ...timeFields('lastSeen', 'Latest snapshot the VM was in'),
    present: z.boolean().openapi({ description: 'In its vCenter\'s latest snapshot (false: gone)' }),
  })
  .openapi('VmSearchHit');

export const searchVms = operation({
  summary: 'Find VMs by name, managed object id or uuid',
  description:
    'VMs any of whose names starts with q (match=contains: contains q; ASCII case ignored), or whose managed object id, BIOS uuid or instance uuid ' +
    'is q (uuids only when q is shaped like one); one row per VM and vCenter with its latest state. Exact id and uuid matches come first, then by ' +
    'the name that matched. truncated: more VMs match than limit. A prefix is an index lookup; contains reads every span of the database ' +
    '(tens of milliseconds on 70,000 spans: README "Read API").',
  tags: TAGS,
  query: z.object({
    q: z.string().trim().min(1).max(VM_SEARCH_MAX_TEXT).openapi({ description: 'The start of a name (match=contains: any part), or a whole managed object id or uuid', example: 'web' }),
    limit: intParam(1, VM_SEARCH_MAX_LIMIT, VM_SEARCH_DEFAULT_LIMIT, 'At most this many VMs'),
    match: z
      .enum(VM_SEARCH_MATCHES)
      .default('prefix')
      .openapi({ description: 'prefix: names starting with q (an index lookup); contains: names containing q (a scan of every span)' }),
  }),
  response: z
    .object({
      query: z.string(),
      limit: z.number().int(),
      match: z.enum(VM_SEARCH_MATCHES),
      truncated: z.boolean(),
      vms: z.array(searchHit),
    })
    .openapi('VmSearchResult'),
  async handle({ query, deps }) {
    return readSearch(deps.query, { q: query.q, limit: query.limit, match: query.match });
  },
});
