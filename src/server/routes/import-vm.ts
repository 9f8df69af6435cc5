// POST /api/import/vm: sets one VM's creation or deletion time by hand (src/jobs/import-vm.ts has
// the rules, the audit and what becomes stale). Who: the request's user, 'anonymous' without one.
import { z } from '@hono/zod-openapi';
import { VctpError } from '../../core/errors.js';
import { LifecycleImportError } from '../../core/lifecycle-import.js';
import { parseTimeInput } from '../../core/time-input.js';
import { REASON_MAX_CHARS, runImportVm } from '../../jobs/import-vm.js';
import type { ServerDeps } from '../deps.js';
import { errorResponse } from '../http-errors.js';
import { operation, type RequestUser } from '../operation.js';
import { HTTP_LOCK_WAIT_SECONDS } from './admin-jobs.js';

const time = z
  .union([z.number().int().positive(), z.string().min(1)])
  .optional()
  .openapi({ description: 'Unix seconds or an ISO 8601 time (UTC unless it says)', example: '2026-02-14T09:30:00Z' });

export const importVmBody = z
  .object({
    vcenter: z.string().min(1).openapi({ description: 'The vCenter as stored (host[:port])', example: 'vc1.example.com' }),
    vmId: z.string().min(1).openapi({ description: "vCenter's managed object id", example: 'vm-1042' }),
    creationTime: time,
    deletionTime: time,
    reason: z.string().trim().min(1).max(REASON_MAX_CHARS).openapi({ description: 'Why (kept in the audit)', example: 'created 2026-02-14 per change CHG-1234; vCenter has no creation event' }),
  })
  .strict();

const times = z.object({ creationTime: z.number().nullable(), creationTimeIso: z.string().nullable(), deletionTime: z.number().nullable(), deletionTimeIso: z.string().nullable() });

export const importVmResult = z
  .object({
    skipped: z.literal(false),
    vcenter: z.string(),
    vmId: z.string(),
    lifecycleId: z.number(),
    changed: z.boolean().openapi({ description: 'False when the values were already those: nothing written or audited' }),
    before: times,
    after: times,
    audit: z.object({ id: z.number(), time: z.number(), timeIso: z.string(), by: z.string(), source: z.string(), reason: z.string() }).nullable(),
    staleDays: z.object({ first: z.string(), last: z.string() }).nullable().openapi({ description: 'Days whose summaries carried the old values: stale for `vctp repair` now' }),
    repair: z.string().nullable().openapi({ description: 'The command that re-aggregates them' }),
  })
  .openapi('ImportVmResult');

/** Who the audit names. */
export const auditUser = (user: RequestUser | null): string => user?.username ?? 'anonymous';

/** What import-vm does for a request body (shared with the legacy create/delete event endpoints). */
export async function importLifecycle(
  deps: ServerDeps,
  user: RequestUser | null,
  source: string,
  body: { vcenter: string; vmId: string; creationTime?: number | string; deletionTime?: number | string; reason: string },
): Promise<unknown> {
  const parsed: { creationTime?: number; deletionTime?: number } = {};
  for (const field of ['creationTime', 'deletionTime'] as const) {
    const value = body[field];
    if (value === undefined) continue;
    try {
      parsed[field] = typeof value === 'number' ? value : parseTimeInput(`body.${field}`, value);
    } catch (error) {
      return errorResponse(400, 'usage', (error as Error).message, { field: `body.${field}` });
    }
  }
  try {
    const result = await runImportVm(deps.job, {
      vcenter: body.vcenter,
      vmId: body.vmId,
      ...parsed,
      reason: body.reason,
      user: auditUser(user),
      source,
      lockWaitSeconds: HTTP_LOCK_WAIT_SECONDS,
    });
    if (result.skipped) throw new VctpError('lock', `another vctp run holds the aggregate lock (${result.holder}); nothing was changed: try again when it has finished`);
    return result;
  } catch (error) {
    if (error instanceof LifecycleImportError) {
      const field = error.field === 'body' ? 'body' : `body.${error.field}`;
      return errorResponse(400, 'usage', `${field}: ${error.message.slice(error.field.length + 2)}`, { field });
    }
    throw error;
  }
}

export const importVm = operation({
  summary: "Set a VM's creation or deletion time by hand",
  description:
    "Sets one VM's lifecycle facts, e.g. a creation time vCenter never gave. The VM must be in the stored snapshots of that vCenter; " +
    'creationTime must be at or before its first snapshot; deletionTime only for a VM a snapshot has missed, between its last snapshot and the first without it. ' +
    'Aggregation, reports and trace use the value at once, and later snapshots keep it. Audited (who, when, why, before and after) in vm_lifecycle_imports and the log; ' +
    'summaries that carried the old value become stale for `vctp repair` (POST /api/snapshots/repair). 409 while another run holds the aggregation lock, or when a day whose summaries carry the VM lies in a closed month.',
  tags: ['admin'],
  body: importVmBody,
  response: importVmResult,
  errors: [404, 409, 503],
  async handle({ body, deps, user }) {
    return importLifecycle(deps, user, 'api', body);
  },
});
