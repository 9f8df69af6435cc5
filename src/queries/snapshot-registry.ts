// GET /api/snapshots: what was captured and summarised, from snapshot_registry, newest first.
import { VctpError } from '../core/errors.js';
import { listRegistryRows, type RegistryKind, type RegistryRow } from '../store/snapshot-registry-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import type { QueryContext } from './context.js';

export type { RegistryKind, RegistryRow };
export const REGISTRY_KINDS: readonly RegistryKind[] = ['hourly', 'daily', 'monthly'];
export const SNAPSHOT_LIST_DEFAULT_LIMIT = 200;
export const SNAPSHOT_LIST_MAX_LIMIT = 5000;

export interface SnapshotListInput {
  vcenters?: readonly string[];
  kinds?: readonly RegistryKind[];
  /** Inclusive bounds on the snapshot time, unix seconds. */
  from?: number;
  to?: number;
  limit: number;
}

export interface SnapshotList {
  /** The bounds asked; absent when not given. */
  from?: number;
  to?: number;
  limit: number;
  /** More rows match than `limit`. */
  truncated: boolean;
  snapshots: RegistryRow[];
}

export async function listSnapshots(ctx: QueryContext, input: SnapshotListInput): Promise<SnapshotList> {
  if (input.from !== undefined && input.to !== undefined && input.from > input.to) {
    throw new VctpError('usage', `from ${input.from} is after to ${input.to}`);
  }
  let vcenterIds: number[] | null = null;
  if (input.vcenters?.length) {
    const known = await listVcenters(ctx.store);
    const unknown = input.vcenters.filter((name) => !known.some((v) => v.name === name));
    if (unknown.length > 0) {
      throw new VctpError('usage', `vcenter ${unknown.join(', ')}: no snapshots of such a vCenter (known: ${known.map((v) => v.name).join(', ') || 'none'})`);
    }
    vcenterIds = known.filter((v) => input.vcenters!.includes(v.name)).map((v) => v.id);
  }
  const rows = await listRegistryRows(ctx.store, {
    vcenterIds,
    kinds: input.kinds?.length ? input.kinds : null,
    from: input.from ?? null,
    to: input.to ?? null,
    limit: input.limit + 1,
  });
  return { ...(input.from === undefined ? {} : { from: input.from }), ...(input.to === undefined ? {} : { to: input.to }), limit: input.limit, truncated: rows.length > input.limit, snapshots: rows.slice(0, input.limit) };
}
