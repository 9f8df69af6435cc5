// Who holds a job lock, and whether a lock may be taken from its holder. Pure: the caller reads
// /proc (src/store/process-identity.ts) and hands over what it saw.
//
// A holder is named by the kernel boot it runs under, its pid namespace, its pid and its start
// time (field 22 of /proc/<pid>/stat, clock ticks after boot). Within one boot and one pid
// namespace, pid + start time name exactly one process ever: a pid reused by a later process has
// a later start time. So a holder in our own boot and namespace is provably dead when no process
// with that pid and start time exists (or it is a zombie), and provably alive when it does.
// Anything else (another host, another container's pid namespace we cannot see into, a row
// written by an older vctp without these facts) cannot be judged from here: there only the
// lease, renewed by a live holder, decides.

/** What this process knows about itself. */
export interface ProcessIdentity {
  hostname: string;
  /** /proc/sys/kernel/random/boot_id: one per kernel boot, shared by every container on the host. */
  bootId: string | null;
  /**
   * readlink /proc/self/ns/pid, e.g. "pid:[4026531836]". Null when it cannot be read, or when the
   * /proc this process sees belongs to another pid namespace (then no pid in it can be trusted).
   */
  pidNamespace: string | null;
  pid: number;
  /** Field 22 of /proc/self/stat; null where /proc cannot tell. */
  startTime: number | null;
}

/** A lock's recorded holder. Rows written by an older vctp have only `holder` (host:pid). */
export interface LockHolder {
  /** host:pid, for people. */
  holder: string;
  runId: string | null;
  bootId: string | null;
  pidNamespace: string | null;
  pid: number | null;
  startTime: number | null;
}

/**
 * A process as /proc/<pid>/stat shows it: its state letter (field 3) and start time (field 22);
 * both null when the process exists but its stat cannot be read (another user's, /proc mounted
 * with hidepid).
 */
export interface ProcessSighting {
  state: string | null;
  startTime: number | null;
}

/** Looks a pid up in this process's /proc; null when there is no such process. */
export type ProcessLookup = (pid: number) => ProcessSighting | null;

export type HolderVerdict =
  | { kind: 'alive' }
  | { kind: 'dead'; reason: string }
  /** Not decidable from this process: the lease decides. */
  | { kind: 'unknown'; reason: string };

/** Zombie (exited, not yet reaped) and dead: a process that will never release anything. */
const GONE_STATES = new Set(['Z', 'X', 'x']);

/** The display name of a holder: host:pid, as before. */
export function holderName(self: Pick<ProcessIdentity, 'hostname' | 'pid'>): string {
  return `${self.hostname}:${self.pid}`;
}

/** Whether `holder` is provably alive, provably dead, or out of sight of `self`. */
export function judgeHolder(holder: LockHolder, self: ProcessIdentity, lookup: ProcessLookup): HolderVerdict {
  if (holder.bootId === null || holder.pidNamespace === null || holder.pid === null || holder.startTime === null) {
    return { kind: 'unknown', reason: 'the holder recorded no process identity' };
  }
  if (self.bootId === null || self.pidNamespace === null || self.startTime === null) {
    return { kind: 'unknown', reason: 'this process cannot see its own pid namespace in /proc' };
  }
  if (holder.bootId !== self.bootId) return { kind: 'unknown', reason: 'the holder runs on another host (or before a reboot)' };
  if (holder.pidNamespace !== self.pidNamespace) return { kind: 'unknown', reason: 'the holder runs in another pid namespace' };
  const seen = lookup(holder.pid);
  if (seen === null) return { kind: 'dead', reason: `no process ${holder.pid} on this host` };
  if (seen.startTime === null) return { kind: 'unknown', reason: `process ${holder.pid} exists but cannot be inspected` };
  if (seen.startTime !== holder.startTime) return { kind: 'dead', reason: `process ${holder.pid} is another process now (pid reused)` };
  if (seen.state !== null && GONE_STATES.has(seen.state)) return { kind: 'dead', reason: `process ${holder.pid} has exited` };
  return { kind: 'alive' };
}

export type TakeOver =
  | { take: true; reason: 'dead' | 'expired'; detail: string }
  | { take: false; reason: 'alive' | 'leased'; detail: string };

/**
 * Whether a lock held by `holder` (whose lease runs until `expiresAt`) may be taken now: at once
 * when the holder is provably dead, else only once its lease has run out; never from a holder
 * provably alive, however old its lease (a live holder renews it; a stalled one is still running).
 */
export function mayTakeOver(holder: LockHolder, expiresAt: number, nowSeconds: number, self: ProcessIdentity, lookup: ProcessLookup): TakeOver {
  const verdict = judgeHolder(holder, self, lookup);
  if (verdict.kind === 'dead') return { take: true, reason: 'dead', detail: verdict.reason };
  if (verdict.kind === 'alive') return { take: false, reason: 'alive', detail: `${holder.holder} is running` };
  if (expiresAt < nowSeconds) return { take: true, reason: 'expired', detail: `${verdict.reason}; its lease ran out` };
  return { take: false, reason: 'leased', detail: `${verdict.reason}; its lease runs until ${expiresAt}` };
}

/** Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'. */
export function parseProcStat(text: string): { pid: number; state: string; startTime: number } | null {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open <= 0 || close < open) return null;
  const pid = Number(text.slice(0, open));
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const state = rest[0];
  const startTime = Number(rest[22 - 3]);
  if (!Number.isSafeInteger(pid) || !state || !Number.isSafeInteger(startTime)) return null;
  return { pid, state, startTime };
}

/**
 * The kinds of job lock (src/jobs/job-lock.ts has the hierarchy): 'snapshot' for captures and
 * snapshot delete, 'aggregate' for every job that writes summaries or the totals caches. Each kind
 * has a whole-database lock named by the kind alone and one lock per vCenter, `<kind>:<vCenter>`
 * (the vCenter's name as stored: host[:port]). A PostgreSQL advisory lock is keyed by a hash of its
 * name, which cannot be read back from pg_locks: status lists the names it can form (these kinds,
 * and each with every known vCenter) and the rows holders write.
 */
export const JOB_LOCK_KINDS = ['aggregate', 'snapshot'] as const;
export type JobLockKind = (typeof JOB_LOCK_KINDS)[number];
/** The whole-database lock names. */
export const JOB_LOCK_NAMES: readonly JobLockKind[] = JOB_LOCK_KINDS;
export type JobLockName = JobLockKind | `${JobLockKind}:${string}`;

/** `snapshot:vc1.example.com`: the lock of one kind of job on one vCenter. */
export function vcenterLockName<K extends JobLockKind>(kind: K, vcenter: string): `${K}:${string}` {
  return `${kind}:${vcenter}`;
}

/** A lock name's kind and vCenter (null: the whole-database lock). The vCenter may hold ':' (host:port). */
export function parseLockName(name: string): { kind: string; vcenter: string | null } {
  const colon = name.indexOf(':');
  return colon < 0 ? { kind: name, vcenter: null } : { kind: name.slice(0, colon), vcenter: name.slice(colon + 1) };
}
