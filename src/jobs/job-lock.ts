// Runs a job under its database lock (src/store/job-locks-repository.ts). A second run waits up to
// `waitSeconds` for the first to end, then gives up without doing anything. How long a lock can
// outlive its holder:
// - PostgreSQL: not at all. The lock is a session advisory lock, dropped by the server with the
//   holder's connection, which the kernel closes when the process dies however it dies (a vanished
//   host: after about a minute of unanswered TCP keepalives).
// - SQLite: not at all when the holder ran on this host in our pid namespace: its row names its
//   process (pid + start time), and a holder that no longer exists is replaced at once. A holder
//   out of sight (another pid namespace: another container sharing the file; another host; a row
//   from an older vctp) keeps the lock while its lease runs, renewed every minute while it lives:
//   at most LEASE_SECONDS after it died.
// ctx.signal (SIGINT/SIGTERM) stops the wait at once; the lock is always released on the way out.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { holderName, mayTakeOver, type JobLockName, type LockHolder } from '../core/lock-holder.js';
import { openJobLock } from '../store/job-locks-repository.js';
import { currentProcessIdentity, lookAtProcess } from '../store/process-identity.js';
import { type JobContext, unixSeconds } from './context.js';

export const LEASE_SECONDS = 600;
const RENEW_EVERY_MS = 60_000;
const POLL_MS = 500;

export type Locked<T> = { acquired: true; result: T } | { acquired: false; holder: string };

export async function withJobLock<T>(ctx: JobContext, name: JobLockName, waitSeconds: number, fn: () => Promise<T>): Promise<Locked<T>> {
  ctx.signal?.throwIfAborted();
  const self = currentProcessIdentity();
  const holder: LockHolder & { runId: string } = {
    holder: holderName(self),
    runId: randomUUID(),
    bootId: self.bootId,
    pidNamespace: self.pidNamespace,
    pid: self.pid,
    startTime: self.startTime,
  };
  const log = ctx.log.child({ lock: name });
  const lock = await openJobLock(ctx.store, {
    name,
    holder,
    leaseSeconds: LEASE_SECONDS,
    mayTakeOver: (current, nowSeconds) => {
      const decision = mayTakeOver(current, current.expiresAt, nowSeconds, self, lookAtProcess);
      if (decision.take) log.warn({ previous: current.holder, reason: decision.reason }, `taking over the ${name} lock: ${decision.detail}`);
      else log.debug({ holder: current.holder, reason: decision.reason }, decision.detail);
      return decision.take;
    },
  });
  try {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const attempt = await lock.tryAcquire(unixSeconds(ctx.now()));
      if (attempt.acquired) {
        if (attempt.replaced && lock.kind === 'advisory') log.debug({ previous: attempt.replaced.holder }, `${name} lock row of an ended holder replaced`);
        break;
      }
      if (Date.now() >= deadline) return { acquired: false, holder: attempt.current?.holder ?? 'unknown' };
      await waitFor(ctx, POLL_MS);
    }
    const renewal = setInterval(() => {
      lock.renew(unixSeconds(ctx.now())).catch((error: unknown) => log.error({ err: (error as Error).message }, `could not renew the ${name} lock`));
    }, RENEW_EVERY_MS);
    renewal.unref();
    try {
      return { acquired: true, result: await fn() };
    } finally {
      clearInterval(renewal);
    }
  } finally {
    // Always, interrupted or not; a fault here must not hide the job's own outcome (the lease or
    // the server frees the lock anyway).
    await lock.release().catch((error: unknown) => log.warn({ err: (error as Error).message }, `could not release the ${name} lock`));
  }
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
