// Runs a job under its database locks (src/store/job-locks-repository.ts). A run that finds a lock
// held waits up to `waitSeconds` for it, then gives up without doing anything.
//
// The hierarchy: each kind of job lock (src/core/lock-holder.ts: 'snapshot', 'aggregate') has one
// lock per vCenter, `<kind>:<vCenter>`, and one whole-database lock, `<kind>`.
// - Work on one vCenter (capturing it, aggregating its day or month, import-vm, snapshot delete)
//   takes that vCenter's lock (withVcenterLock), so that collectors sharing a database, with
//   overlapping vcenter_addresses, never work on one vCenter at once and split the vCenters
//   between them. Once it holds it, it checks that no whole-database job holds the kind's lock; if
//   one does, it lets its own go again and waits (or gives up) as for a held lock.
// - Work that spans every vCenter at once (retention, backfill, repair, month close/reopen, and an
//   import of a whole database) takes the whole-database lock and then every known vCenter's lock,
//   in one fixed order (sorted names), waiting for the per-vCenter jobs running to end
//   (withEveryVcenterLock). A vCenter appearing meanwhile (its first capture) is kept out by the
//   check above. Whole-database jobs exclude each other by the first lock; per-vCenter jobs never
//   wait for a lock while holding another of the same kind in another order, so nothing deadlocks.
//   A run that needs several vCenters at once (snapshot --at) takes them in sorted order too
//   (withVcenterLocks). A job that needs both kinds (import-sqlite: the whole database) takes
//   'snapshot' before 'aggregate', each with withEveryVcenterLock; no job takes them the other way.
// Which job takes what: snapshot -> snapshot:<vCenter> (--at: all its vCenters at once); snapshot
// delete -> snapshot:<vCenter>; aggregate daily|monthly and import-vm -> aggregate:<vCenter>;
// repair, backfill, retention, month close|reopen -> every aggregate lock (withEveryVcenterLock);
// import-sqlite -> every snapshot lock, then every aggregate lock. db cleanup changes no data and
// takes none.
// - Capture writers and the jobs that rewrite what depends on spans also take the capture lock
//   inside their transaction (src/store/capture-lock.ts): a short PostgreSQL transaction lock, one
//   for all vCenters, for id allocation; it is not a job lock and does not split work.
// How long a lock can outlive its holder:
// - PostgreSQL: not at all. The locks are session advisory locks, all on one connection per process,
//   dropped by the server with it, which the kernel closes when the process dies however it dies (a
//   vanished host: after about a minute of unanswered TCP keepalives).
// - SQLite: not at all when the holder ran on this host in our pid namespace: its row names its
//   process (pid + start time), and a holder that no longer exists is replaced at once. A holder
//   out of sight (another pid namespace: another container sharing the file; another host; a row
//   from an older vctp) keeps the lock while its lease runs, renewed every minute while it lives:
//   at most LEASE_SECONDS after it died.
// ctx.signal (SIGINT/SIGTERM) stops the wait at once; locks are always released on the way out.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { holderName, type JobLockKind, type JobLockName, mayTakeOver, vcenterLockName } from '../core/lock-holder.js';
import type { Store } from '../store/executor.js';
import { jobLockHolder, openJobLock, type JobLockHandle, type StoredLock } from '../store/job-locks-repository.js';
import { currentProcessIdentity, lookAtProcess } from '../store/process-identity.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { type JobContext, unixSeconds } from './context.js';

export const LEASE_SECONDS = 600;
const RENEW_EVERY_MS = 60_000;
const POLL_MS = 500;

export type Locked<T> = { acquired: true; result: T } | { acquired: false; holder: string };

/**
 * One lock by its full name, on its own (no hierarchy): the building block, and what tests use to
 * hold a lock. A whole-database name held this way keeps every vCenter's lock of its kind from
 * being taken (withVcenterLock checks it), but does not wait for the vCenters' running jobs: jobs
 * use withVcenterLock or withEveryVcenterLock.
 */
export async function withJobLock<T>(ctx: JobContext, name: JobLockName, waitSeconds: number, fn: () => Promise<T>): Promise<Locked<T>> {
  return withLocks(ctx, [{ name }], waitSeconds, fn);
}

/** One vCenter's lock of `kind` (`snapshot:vc1.example.com`), free of any whole-database job of that kind. */
export async function withVcenterLock<T>(ctx: JobContext, kind: JobLockKind, vcenter: string, waitSeconds: number, fn: () => Promise<T>): Promise<Locked<T>> {
  return withLocks(ctx, [{ name: vcenterLockName(kind, vcenter), under: kind }], waitSeconds, fn);
}

/**
 * Several vCenters' locks of `kind`, taken in sorted order within one wait (each checked against
 * the whole-database lock): a run that must hold them all at once (vctp snapshot --at: all its
 * vCenters at one time, or none). `onBusy` hears who held a lock this run waited for.
 */
export async function withVcenterLocks<T>(
  ctx: JobContext,
  kind: JobLockKind,
  vcenters: readonly string[],
  waitSeconds: number,
  fn: () => Promise<T>,
  onBusy?: (vcenter: string, holder: string) => void,
): Promise<Locked<T>> {
  const sorted = [...new Set(vcenters)].sort();
  const steps = sorted.map((vcenter) => ({ name: vcenterLockName(kind, vcenter), under: kind, onBusy: onBusy && ((holder: string) => onBusy(vcenter, holder)) }));
  return withLocks(ctx, steps, waitSeconds, fn);
}

/**
 * The whole-database lock of `kind` and then every known vCenter's lock of it, in sorted order,
 * within one wait: for a job that works on every vCenter at once (or on the database as a whole:
 * retention, import-sqlite). Gives up (releasing what it took) if any stays held past the wait.
 */
export async function withEveryVcenterLock<T>(ctx: JobContext, kind: JobLockKind, waitSeconds: number, fn: () => Promise<T>): Promise<Locked<T>> {
  return withLocks(ctx, [{ name: kind }, { names: async () => everyVcenterLockName(ctx.store, kind) }], waitSeconds, fn);
}

/** `kind:<vCenter>` for every vCenter in the database, sorted. Read after the whole-database lock is held. */
async function everyVcenterLockName(store: Store, kind: JobLockKind): Promise<string[]> {
  const names = (await listVcenters(store)).map((v) => vcenterLockName(kind, v.name));
  return [...new Set(names)].sort();
}

/** A lock to take: by name (with its whole-database lock to check, for a vCenter's), or names read once the previous ones are held. */
type LockStep = { name: string; under?: JobLockKind; onBusy?: (holder: string) => void } | { names: () => Promise<string[]> };

/** Names this process holds, per store: a PostgreSQL session lock would stack, not refuse, a second take in the same session. */
const heldHere = new WeakMap<Store, Set<string>>();

function heldSet(store: Store): Set<string> {
  let set = heldHere.get(store);
  if (!set) heldHere.set(store, (set = new Set()));
  return set;
}

async function withLocks<T>(ctx: JobContext, steps: readonly LockStep[], waitSeconds: number, fn: () => Promise<T>): Promise<Locked<T>> {
  ctx.signal?.throwIfAborted();
  const deadline = Date.now() + waitSeconds * 1000;
  const held: HeldLock[] = [];
  try {
    for (const step of steps) {
      const names = 'names' in step ? await step.names() : [step.name];
      for (const name of names) {
        const taken = await takeLock(ctx, name, 'under' in step ? step.under : undefined, deadline, 'onBusy' in step ? step.onBusy : undefined);
        if (!taken.ok) return { acquired: false, holder: taken.holder };
        held.push(taken.lock);
      }
    }
    return { acquired: true, result: await fn() };
  } finally {
    // Always, interrupted or not, in reverse order; a fault here must not hide the job's own
    // outcome (the lease or the server frees the lock anyway).
    for (const lock of held.reverse()) await lock.release();
  }
}

interface HeldLock {
  release(): Promise<void>;
}

/** Takes `name` (polling until `deadline`), or says who holds it. */
async function takeLock(
  ctx: JobContext,
  name: string,
  under: JobLockKind | undefined,
  deadline: number,
  onBusy?: (holder: string) => void,
): Promise<{ ok: true; lock: HeldLock } | { ok: false; holder: string }> {
  const self = currentProcessIdentity();
  const log = ctx.log.child({ lock: name });
  const judge = (current: StoredLock, nowSeconds: number): boolean => {
    const decision = mayTakeOver(current, current.expiresAt, nowSeconds, self, lookAtProcess);
    if (decision.take) log.warn({ previous: current.holder, reason: decision.reason }, `taking over the ${current.name} lock: ${decision.detail}`);
    else log.debug({ holder: current.holder, reason: decision.reason }, decision.detail);
    return decision.take;
  };
  const mine = heldSet(ctx.store);
  // PostgreSQL: between a holder's lock and its row (taking it; releasing it) the row is missing:
  // the holder met before is named rather than 'unknown'.
  let known: string | null = null;
  for (;;) {
    let holder: string;
    if (mine.has(name)) {
      holder = holderName(self);
    } else {
      mine.add(name);
      const lock = await openJobLock(ctx.store, {
        name,
        holder: { holder: holderName(self), runId: randomUUID(), bootId: self.bootId, pidNamespace: self.pidNamespace, pid: self.pid, startTime: self.startTime },
        leaseSeconds: LEASE_SECONDS,
        mayTakeOver: judge,
      }).catch((error: unknown) => {
        mine.delete(name);
        throw error;
      });
      const held = heldLock(ctx, log, name, lock, () => mine.delete(name));
      try {
        const attempt = await lock.tryAcquire(unixSeconds(ctx.now()));
        if (attempt.acquired) {
          if (attempt.replaced && lock.kind === 'advisory') log.debug({ previous: attempt.replaced.holder }, `${name} lock row of an ended holder replaced`);
          // A vCenter's lock counts only while no whole-database job of its kind runs (module comment).
          const above =
            under === undefined
              ? null
              : await jobLockHolder(ctx.store, under, unixSeconds(ctx.now()), (current, now) => mayTakeOver(current, current.expiresAt, now, self, lookAtProcess).take);
          if (above === null) return { ok: true, lock: held.start() };
          holder = `${above} (the whole-database ${under} lock)`;
        } else {
          holder = attempt.current?.holder ?? 'unknown';
        }
      } catch (error) {
        await held.release();
        throw error;
      }
      await held.release();
    }
    if (holder === 'unknown' && known !== null) holder = known;
    else if (holder !== 'unknown') known = holder;
    onBusy?.(holder);
    if (Date.now() >= deadline) return { ok: false, holder };
    await waitFor(ctx, POLL_MS);
  }
}

/** A lock handle that renews itself while held, and is released once (then `forget` runs). */
function heldLock(ctx: JobContext, log: JobContext['log'], name: string, lock: JobLockHandle, forget: () => void) {
  let renewal: NodeJS.Timeout | null = null;
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    if (renewal) clearInterval(renewal);
    await lock.release().catch((error: unknown) => log.warn({ err: (error as Error).message }, `could not release the ${name} lock`));
    forget();
  };
  return {
    release,
    start(): HeldLock {
      renewal = setInterval(() => {
        lock.renew(unixSeconds(ctx.now())).catch((error: unknown) => log.error({ err: (error as Error).message }, `could not renew the ${name} lock`));
      }, RENEW_EVERY_MS);
      renewal.unref();
      return { release };
    },
  };
}

/** Sleeps, or throws the signal's reason as soon as it fires. */
async function waitFor(ctx: JobContext, ms: number): Promise<void> {
  try {
    await sleep(ms, undefined, ctx.signal ? { signal: ctx.signal } : undefined);
  } catch (error) {
    ctx.signal?.throwIfAborted();
    throw error;
  }
}
