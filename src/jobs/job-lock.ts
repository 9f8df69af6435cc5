// Runs a job under its database lock. A second run waits up to `waitSeconds` for the first to end,
// then gives up without doing anything; the lease is renewed while the job runs so that only a
// crashed holder's lock ever expires.
import { hostname } from 'node:os';
import { lockHolder, releaseLock, renewLock, tryAcquireLock } from '../store/job-locks-repository.js';
import { type JobContext, unixSeconds } from './context.js';

const LEASE_SECONDS = 600;
const RENEW_EVERY_MS = 60_000;
const POLL_MS = 500;

export type Locked<T> = { acquired: true; result: T } | { acquired: false; holder: string };

export async function withJobLock<T>(ctx: JobContext, name: string, waitSeconds: number, fn: () => Promise<T>): Promise<Locked<T>> {
  const holder = `${hostname()}:${process.pid}`;
  const lease = () => ({ name, holder, nowSeconds: unixSeconds(ctx.now()), leaseSeconds: LEASE_SECONDS });
  const deadline = Date.now() + waitSeconds * 1000;
  while (!(await tryAcquireLock(ctx.store, lease()))) {
    if (Date.now() >= deadline) {
      const current = await lockHolder(ctx.store, name);
      return { acquired: false, holder: current?.holder ?? 'unknown' };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const renewal = setInterval(() => {
    renewLock(ctx.store, lease()).catch((error: unknown) => ctx.log.warn({ err: (error as Error).message }, `could not renew the ${name} lock`));
  }, RENEW_EVERY_MS);
  renewal.unref();
  try {
    return { acquired: true, result: await fn() };
  } finally {
    clearInterval(renewal);
    await releaseLock(ctx.store, name, holder);
  }
}
