// GET /api/vm/search: the VMs a text names, for picking one to trace. A VM matches when any name
// it has had starts with the text (match 'contains': contains it; ASCII case ignored), or its
// managed object id, BIOS uuid or instance uuid equals it; one row per VM (per vCenter) with its
// latest known state.
import { VctpError } from '../core/errors.js';
import { latestSnapshotTime, listVcenters } from '../store/vcenter-repository.js';
import { searchVmRows, type VmSearchNameMatch, type VmSearchRow } from '../store/vm-search-repository.js';
import type { QueryContext } from './context.js';

export const VM_SEARCH_MAX_TEXT = 200;
export const VM_SEARCH_DEFAULT_LIMIT = 50;
export const VM_SEARCH_MAX_LIMIT = 500;

export const VM_SEARCH_MATCHES = ['prefix', 'contains'] as const satisfies readonly VmSearchNameMatch[];

export interface VmSearchInput {
  q: string;
  limit: number;
  /** Names starting with q (the default: an index lookup) or containing it (a scan of every span). */
  match?: VmSearchNameMatch;
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
  match: VmSearchNameMatch;
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
  const match = input.match ?? 'prefix';
  if (!(VM_SEARCH_MATCHES as readonly string[]).includes(match)) throw new VctpError('usage', `match ${match}: expected ${VM_SEARCH_MATCHES.join(' or ')}`);
  const vcenters = await listVcenters(ctx.store);
  // One row more than asked says whether there are more, without counting every match.
  const rows = await searchVmRows(ctx.store, q, vcenters.map((v) => v.id), input.limit + 1, match);
  const latest = new Map<number, number | null>();
  for (const id of new Set(rows.map((r) => r.vcenterId))) latest.set(id, await latestSnapshotTime(ctx.store, id));
  const vms = rows.slice(0, input.limit).map(({ vcenterId, lastSeen, ...row }) => ({
    ...row,
    lastSeen: lastSeen ?? latest.get(vcenterId) ?? null,
    present: lastSeen === null,
  }));
  return { query: q, limit: input.limit, match, truncated: rows.length > input.limit, vms };
}
