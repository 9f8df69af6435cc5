// Taking one hourly snapshot back (`vctp snapshot delete`): the edits to spans and lifecycle rows
// that leave the store as if the snapshot at T had never been taken. Pure: the store reads the
// affected rows (src/store/snapshot-removal-repository.ts), this plans, the store applies.
//
// With P the vCenter's snapshot before T and N the one after (either may be missing), a span holds
// the VM at every snapshot in [first_seen, last_seen]. Only these change:
// - a span [T, T] goes; a span starting at T starts at N; a span ending at T ends at P;
// - when T was the latest, every span ending at P reopens (P is the latest again);
// - a VM present at P and N but not at T (gone at T, or changed at T and back at N) continues its
//   P span through N when the states match, as the capture at N would have found it unchanged;
// - a VM seen first (or last) at T gets the next (or previous) sight as its first (or last) one.
// The rest of the hourly history does not depend on T.
//
// What capture threw away cannot come back, so two things are rebuilt from the rule capture uses
// when it has nothing better (see README "Taking a snapshot back"):
// - a creation time clamped to T (vCenter's was later than the first snapshot that saw the VM) is
//   clamped to the VM's new first sight instead;
// - a VM that came back at T only, after an absence, had its earlier deletion time reset by that
//   return: it gets the time of the first snapshot it was missing from.
// And two that look alike are told apart by their time: a deletion time equal to T came from the
// snapshot (or a removal event clamped into it), any other one from vCenter's VmRemovedEvent.
//
// Event keys: capture looks a VM's creation event up once, when it first sees the VM, and carries
// the key forward while the VM stays present; a VM that returns has none. Where removing T makes a
// VM continuously present (or first seen) at a later snapshot, the key is carried into the spans
// that follow, as capture would have carried it.
import { VctpError } from './errors.js';
import { identityKey, sameSpanState, type SpanState } from './span-state.js';

export interface RemovalSpan {
  id: number;
  lifecycleId: number;
  firstSeen: number;
  /** null: open (present at the latest snapshot). */
  lastSeen: number | null;
  identityId: number;
  placementId: number;
  state: SpanState;
  /** The vCenter's first hourly snapshot after lastSeen, T aside (null: open, or none yet). Needed for spans after T. */
  nextSnapshot: number | null;
}

export interface RemovalLifecycle {
  id: number;
  vmId: string;
  creationTime: number;
  deletionTime: number;
  firstSeen: number;
  lastSeen: number | null;
}

/** One VM's rows around T: every VM with a span starting or ending at T, or ending at P. */
export interface LifecycleHistory {
  lifecycle: RemovalLifecycle;
  /** Its span ending at P, if any. */
  endingAtPrevious: RemovalSpan | null;
  /** Its span starting or ending at T, if any (a span running through T changes nothing). */
  atTime: RemovalSpan | null;
  /** Its spans starting after T, in order. */
  after: RemovalSpan[];
  /** The end of its latest span before T and the snapshot after that end (T aside); null: none. */
  earlier: { lastSeen: number; nextSnapshot: number } | null;
}

export interface RemovalInput {
  /** T: the snapshot taken back. */
  time: number;
  /** P and N: the vCenter's hourly snapshots just before and after T (null: none). */
  previous: number | null;
  next: number | null;
  histories: readonly LifecycleHistory[];
}

/** The columns of a span that change (only those given). */
export interface SpanUpdate {
  id: number;
  firstSeen?: number;
  lastSeen?: number | null;
  /** Another identity row with the same values: the one capture would have reused. */
  identityId?: number;
}

/** The columns of a lifecycle row that change (only those given). */
export interface LifecycleUpdate {
  id: number;
  creationTime?: number;
  deletionTime?: number;
  firstSeen?: number;
  lastSeen?: number | null;
}

export interface RemovalCounts {
  /** Spans of T alone. */
  spansDeleted: number;
  /** Spans that start at N instead of T, or end at P instead of T. */
  spansTrimmed: number;
  /** Spans ending at P that are open again (T was the latest snapshot). */
  spansReopened: number;
  /** Spans joined into the one before them (a VM gone, or changed and back, at T only): their rows go too. */
  spansMerged: number;
  lifecyclesDeleted: number;
  lifecyclesUpdated: number;
  /** Identity rows that get the event key capture would have carried. */
  eventKeysCarried: number;
}

export interface RemovalPlan {
  deleteSpans: number[];
  spanUpdates: SpanUpdate[];
  identityEventKeys: { identityId: number; eventKey: string }[];
  deleteLifecycles: number[];
  lifecycleUpdates: LifecycleUpdate[];
  /** Identity rows that lost a referrer: the store deletes those that nothing refers to any more. */
  identityCandidates: { lifecycleId: number; identityId: number }[];
  /** Placement rows that lost a referrer, likewise. */
  placementCandidates: number[];
  counts: RemovalCounts;
}

interface WorkingSpan extends RemovalSpan {
  deleted: boolean;
  /** Took over the snapshots of a span after it. */
  merged: boolean;
  /** Went into the span before it. */
  joined: boolean;
  original: { firstSeen: number; lastSeen: number | null; identityId: number };
}

export function planSnapshotRemoval(input: RemovalInput): RemovalPlan {
  const plan: RemovalPlan = {
    deleteSpans: [],
    spanUpdates: [],
    identityEventKeys: [],
    deleteLifecycles: [],
    lifecycleUpdates: [],
    identityCandidates: [],
    placementCandidates: [],
    counts: {
      spansDeleted: 0,
      spansTrimmed: 0,
      spansReopened: 0,
      spansMerged: 0,
      lifecyclesDeleted: 0,
      lifecyclesUpdated: 0,
      eventKeysCarried: 0,
    },
  };
  for (const history of input.histories) planLifecycle(input, history, plan);
  plan.placementCandidates = [...new Set(plan.placementCandidates)];
  const candidates = new Map(plan.identityCandidates.map((c) => [c.identityId, c]));
  plan.identityCandidates = [...candidates.values()];
  return plan;
}

function planLifecycle(input: RemovalInput, h: LifecycleHistory, plan: RemovalPlan): void {
  const { time: t, previous: p, next: n } = input;
  const lc = h.lifecycle;
  const fail: (what: string) => never = (what) => {
    throw new VctpError('internal', `snapshot removal: VM ${lc.vmId} (lifecycle ${lc.id}) at ${t}: ${what}`);
  };
  const work = (s: RemovalSpan | null): WorkingSpan | null =>
    s && { ...s, state: cloneState(s.state), deleted: false, merged: false, joined: false, original: { firstSeen: s.firstSeen, lastSeen: s.lastSeen, identityId: s.identityId } };
  const pEnd = work(h.endingAtPrevious);
  const x = work(h.atTime);
  const after = h.after.map((s) => work(s)!);
  const spans = [pEnd, x, ...after].filter((s): s is WorkingSpan => s !== null);

  if (pEnd && (p === null || pEnd.lastSeen !== p)) fail(`span ${pEnd.id} is said to end at the previous snapshot ${p}`);
  if (after.some((s) => s.firstSeen <= t)) fail('a span said to start after T does not');
  // An identity row is shared only by consecutive spans of one VM, so every span that refers to
  // one first used after T is among `after`.
  const repoint = (from: number, to: number) => {
    if (from === to) return;
    plan.identityCandidates.push({ lifecycleId: lc.id, identityId: from });
    for (const s of spans) if (s.identityId === from) s.identityId = to;
  };
  const remove = (s: WorkingSpan) => {
    s.deleted = true;
    plan.identityCandidates.push({ lifecycleId: lc.id, identityId: s.identityId });
    plan.placementCandidates.push(s.placementId);
  };
  /** `later` continues `earlier` (the capture that opened it would have found the VM unchanged). */
  const merge = (earlier: WorkingSpan, later: WorkingSpan) => {
    earlier.lastSeen = later.lastSeen;
    earlier.nextSnapshot = later.nextSnapshot;
    earlier.merged = true;
    later.joined = true;
    remove(later);
    repoint(later.identityId, earlier.identityId);
    plan.counts.spansMerged++;
  };

  // 1. T leaves the span that holds it.
  let presentAtT = false;
  let xRemoved = false;
  if (x) {
    presentAtT = true;
    if (x.firstSeen === t) {
      if (x.lastSeen === t || (x.lastSeen === null && n === null)) {
        remove(x);
        xRemoved = true;
      } else {
        if (n === null) fail(`span ${x.id} runs past T, but T is the latest snapshot`);
        x.firstSeen = n;
      }
    } else if (x.lastSeen === t) {
      if (p === null || x.firstSeen > p) fail(`span ${x.id} started before T, but not at or before the previous snapshot`);
      x.lastSeen = p;
    } else {
      fail(`span ${x.id} [${x.firstSeen}, ${x.lastSeen}] neither starts nor ends at T`);
    }
  }
  const presentAtP = pEnd !== null || (x !== null && x.original.firstSeen < t);

  // 2. T was the latest: P is again, and whatever was present at P is open.
  if (pEnd && n === null) pEnd.lastSeen = null;

  // 3. Event keys that capture would have carried into the spans after T.
  const first = after[0];
  let carried: string | null = null;
  if (first && n !== null) {
    if (pEnd && !presentAtT && first.firstSeen === n) carried = pEnd.state.identity.eventKey;
    else if (lc.firstSeen === t && xRemoved && first.firstSeen !== n) carried = x!.state.identity.eventKey;
  }
  if (carried !== null) carryEventKey(after, carried, plan, merge);

  // 4. Present at P and N but not at T any more: the span of P continues through N if nothing changed.
  if (pEnd && n !== null && (!presentAtT || xRemoved) && first && !first.deleted && first.firstSeen === n) {
    if (sameSpanState(pEnd.state, first.state)) merge(pEnd, first);
    else if (identityKey(pEnd.state.identity) === identityKey(first.state.identity)) repoint(first.identityId, pEnd.identityId);
  }

  // 5. The lifecycle row: first and last sight, creation and deletion.
  let { creationTime, deletionTime, firstSeen, lastSeen } = lc;
  if (lc.firstSeen === t) {
    const sights = spans.filter((s) => !s.deleted && s.firstSeen > t).map((s) => s.firstSeen);
    if (sights.length === 0) {
      finishSpans(spans, plan);
      plan.deleteLifecycles.push(lc.id);
      plan.counts.lifecyclesDeleted++;
      return;
    }
    firstSeen = Math.min(...sights);
    // Clamped to T at first sight (vCenter's creation time was later): clamp to the new first sight.
    if (creationTime === t) creationTime = firstSeen;
  }
  const lastEpisodeFromEarlier = () => {
    // Back at T only, after an absence: that return had reset the deletion time of the absence.
    if (h.earlier) {
      lastSeen = h.earlier.lastSeen;
      deletionTime = h.earlier.nextSnapshot;
    } else {
      // Its spans before T are gone (retention trimmed them; summaries may still refer to the VM):
      // the first sight is the last one known, and N the first snapshot known to miss it.
      lastSeen = lc.firstSeen;
      deletionTime = n ?? t;
    }
  };
  if (lc.lastSeen === null) {
    if (n === null && presentAtT && !presentAtP) lastEpisodeFromEarlier();
  } else if (lc.lastSeen === t) {
    if (presentAtP) lastSeen = p;
    else lastEpisodeFromEarlier();
  } else if (lc.lastSeen === p && pEnd && !presentAtT) {
    // Gone at T and not back since: gone at N now, or (T was the latest) present again.
    if (n === null) {
      lastSeen = null;
      deletionTime = 0;
    } else if (deletionTime === t) {
      deletionTime = n;
    }
  }
  const update: LifecycleUpdate = { id: lc.id };
  if (creationTime !== lc.creationTime) update.creationTime = creationTime;
  if (deletionTime !== lc.deletionTime) update.deletionTime = deletionTime;
  if (firstSeen !== lc.firstSeen) update.firstSeen = firstSeen;
  if (lastSeen !== lc.lastSeen) update.lastSeen = lastSeen;
  if (Object.keys(update).length > 1) {
    plan.lifecycleUpdates.push(update);
    plan.counts.lifecyclesUpdated++;
  }
  finishSpans(spans, plan);
}

/**
 * Capture carries a VM's event key forward while it stays present. Spans of the run of snapshots
 * that starts with `after[0]` that have none get `eventKey`, up to the first that has its own; if
 * that one then equals the span before it, the two are one span.
 */
function carryEventKey(
  after: WorkingSpan[],
  eventKey: string,
  plan: RemovalPlan,
  merge: (earlier: WorkingSpan, later: WorkingSpan) => void,
): void {
  const fixed = new Set<number>();
  let i = 0;
  for (; i < after.length; i++) {
    const s = after[i]!;
    if (i > 0 && after[i - 1]!.nextSnapshot !== s.firstSeen) return finishCarry(fixed, eventKey, plan);
    if (s.state.identity.eventKey !== null) break;
    s.state.identity.eventKey = eventKey;
    fixed.add(s.identityId);
  }
  if (i > 0 && i < after.length) {
    const before = after[i - 1]!;
    const own = after[i]!;
    if (sameSpanState(before.state, own.state)) merge(before, own);
  }
  finishCarry(fixed, eventKey, plan);
}

function finishCarry(fixed: Set<number>, eventKey: string, plan: RemovalPlan): void {
  for (const identityId of fixed) plan.identityEventKeys.push({ identityId, eventKey });
  plan.counts.eventKeysCarried += fixed.size;
}

function finishSpans(spans: readonly WorkingSpan[], plan: RemovalPlan): void {
  for (const s of spans) {
    if (s.deleted) {
      plan.deleteSpans.push(s.id);
      if (!s.joined) plan.counts.spansDeleted++;
      continue;
    }
    const update: SpanUpdate = { id: s.id };
    if (s.firstSeen !== s.original.firstSeen) update.firstSeen = s.firstSeen;
    if (s.lastSeen !== s.original.lastSeen) update.lastSeen = s.lastSeen;
    if (s.identityId !== s.original.identityId) update.identityId = s.identityId;
    if (Object.keys(update).length === 1) continue;
    plan.spanUpdates.push(update);
    if (s.merged) continue;
    if (s.original.lastSeen !== null && s.lastSeen === null) plan.counts.spansReopened++;
    else if (s.firstSeen !== s.original.firstSeen || (s.lastSeen !== null && s.original.lastSeen !== null && s.lastSeen < s.original.lastSeen)) {
      plan.counts.spansTrimmed++;
    }
  }
}

function cloneState(s: SpanState): SpanState {
  return { ...s, identity: { ...s.identity }, placement: { ...s.placement } };
}
