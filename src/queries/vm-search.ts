// GET /api/vm/search: the VMs a text names, for picking one to trace. A VM matches when any name
// it has had contains the text (ASCII case ignored), or its managed object id, BIOS uuid or
// instance uuid equals it; one row per VM (per vCenter) with its latest known state.
import { VctpError } from '../core/errors.js';
import { latestSnapshotTime, listVcenters } from '../store/vcenter-repository.js';
import { searchVmRows, type VmSearchRow } from '../store/vm-search-repository.js';
import type { QueryContext } from './context.js';

export const VM_SEARCH_MAX_TEXT = 200;
export const VM_SEARCH_DEFAULT_LIMIT = 50;
export const VM_SEARCH_MAX_LIMIT = 500;

export interface VmSearchInput {
  q: string;
  limit: number;
}

export interface VmSearchHit extends Omit<VmSearchRow, 'vcenterId' | 'lastSeen'> {
  /** The latest snapshot the VM was in (for a present VM: its vCenter's latest snapshot). */
  lastSeen: number | null;
  /** In its vCenter's latest snapshot. */
  present: boolean;
}

export interface VmSearchResult {
  query: string;
  limit: number;
  /** More VMs match than `limit`: narrow the text. */
  truncated: boolean;
  vms: VmSearchHit[];
}

export async function searchVms(ctx: QueryContext, input: VmSearchInput): Promise<VmSearchResult> {
  const q = input.q.trim();
  if (q === '' || q.length > VM_SEARCH_MAX_TEXT) throw new VctpError('usage', `q: expected 1 to ${VM_SEARCH_MAX_TEXT} characters`);
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > VM_SEARCH_MAX_LIMIT) {
    throw new VctpError('usage', `limit ${input.limit}: expected a whole number from 1 to ${VM_SEARCH_MAX_LIMIT}`);
  }
  const vcenters = await listVcenters(ctx.store);
  // One row more than asked says whether there are more, without counting every match.
  const rows = await searchVmRows(ctx.store, q, vcenters.map((v) => v.id), input.limit + 1);
  const latest = new Map<number, number | null>();
  for (const id of new Set(rows.map((r) => r.vcenterId))) latest.set(id, await latestSnapshotTime(ctx.store, id));
  const vms = rows.slice(0, input.limit).map(({ vcenterId, lastSeen, ...row }) => ({
    ...row,
    lastSeen: lastSeen ?? latest.get(vcenterId) ?? null,
    present: lastSeen === null,
  }));
  return { query: q, limit: input.limit, truncated: rows.length > input.limit, vms };
}
