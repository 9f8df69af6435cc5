// The original system's deprecated endpoints (spec "Deprecated API Endpoints"). The app answers them
// 410 Gone before auth unless settings.enable_legacy_api (src/server/app.ts). Turned on, they run as
// admin and do only what vctp can honestly do, since vctp has no event queue or updates table (it
// captures hourly snapshots into state spans):
// - vm/create and vm/delete record a lifecycle fact through import-vm, with its rules and audit
//   (source = the endpoint's path): a creation time for a VM the snapshots have seen, a deletion
//   time for one a snapshot has missed. Anything else is refused as import-vm refuses it.
// - vm/modify, vm/move, cleanup/updates and cleanup/vcenter answer 501 Not Implemented, naming what
//   replaces them. None of them pretends to have done anything.
import { z } from '@hono/zod-openapi';
import { errorResponse } from '../http-errors.js';
import { operation, type Operation } from '../operation.js';
import { importLifecycle, importVmBody, importVmResult } from './import-vm.js';

const TAGS = ['legacy'];
const defaultReason = (path: string) => `legacy event received on ${path}`;
const reason = z.string().trim().min(1).optional().openapi({ description: 'Why (kept in the audit); default "legacy event received on <path>"' });
const time = importVmBody.shape.creationTime.unwrap();

export const eventVmCreate = operation({
  summary: 'Legacy: record a VM creation (import-vm)',
  description:
    "Records the VM's creation time as POST /api/import/vm would (same rules, audit and staleness). The VM must already be in a stored snapshot: " +
    'a VM no snapshot has seen yet is 404, and the next hourly snapshot records it with the creation time vCenter gives.',
  tags: TAGS,
  body: z.object({ vcenter: importVmBody.shape.vcenter, vmId: importVmBody.shape.vmId, creationTime: time, reason }).strict(),
  response: importVmResult,
  errors: [404, 409, 503],
  async handle({ body, deps, user }) {
    const path = '/api/event/vm/create';
    return importLifecycle(deps, user, path, { ...body, reason: body.reason ?? defaultReason(path) });
  },
});

export const eventVmDelete = operation({
  summary: 'Legacy: record a VM deletion (import-vm)',
  description:
    "Records the VM's deletion time as POST /api/import/vm would (same rules, audit and staleness): only for a VM a snapshot has already missed, " +
    'between its last snapshot and the first without it. For a VM still in the latest snapshot it is refused (400): the first snapshot without the VM records its deletion, at vCenter’s VmRemovedEvent time when there is one.',
  tags: TAGS,
  body: z.object({ vcenter: importVmBody.shape.vcenter, vmId: importVmBody.shape.vmId, deletionTime: time, reason }).strict(),
  response: importVmResult,
  errors: [404, 409, 503],
  async handle({ body, deps, user }) {
    const path = '/api/event/vm/delete';
    return importLifecycle(deps, user, path, { ...body, reason: body.reason ?? defaultReason(path) });
  },
});

/** An endpoint vctp does not implement: 501 with what replaces it. Takes no body (any is ignored). */
function notImplemented(path: string, summary: string, replacement: string): Operation {
  const message = `${path} is not implemented by vctp: ${replacement}`;
  return operation({
    summary: `Legacy: ${summary} (501: not implemented)`,
    description: `Always answers 501 Not Implemented: ${replacement}`,
    tags: TAGS,
    response: z.object({}).openapi({ description: 'never answered: this endpoint always answers 501' }),
    errors: [501],
    async handle() {
      return errorResponse(501, 'not-implemented', message);
    },
  });
}

export const eventVmModify = notImplemented(
  '/api/event/vm/modify',
  'VM reconfigured event',
  'vctp has no event queue; every hourly snapshot records each VM’s size and power state as state spans (GET /api/vm/trace shows them)',
);

export const eventVmMove = notImplemented(
  '/api/event/vm/move',
  'VM moved event',
  'vctp has no event queue; every hourly snapshot records each VM’s placement (resource pool, tier, cluster, folder) as state spans (GET /api/vm/trace shows them)',
);

export const cleanupUpdates = notImplemented(
  '/api/cleanup/updates',
  'clean up the updates table',
  'vctp keeps no updates table (hourly snapshots are stored as state spans); `vctp retention` removes history past hourly_snapshot_max_age_days, `vctp db cleanup` compacts the database',
);

export const cleanupVcenter = notImplemented(
  '/api/cleanup/vcenter',
  "remove a vCenter's data",
  "removing a vCenter's data is not offered over HTTP; `vctp snapshot delete` takes a single snapshot back and `vctp retention` removes history past its age",
);
