// Leased job locks in the database itself, so they hold across processes and hosts (several
// collectors on one PostgreSQL). A holder that crashes stops renewing and its lease runs out.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';

export interface LockLease {
  name: string;
  holder: string;
  nowSeconds: number;
  leaseSeconds: number;
}

/** True when the lock was free (or its lease had expired) and is now ours. */
export async function tryAcquireLock(db: SqlExecutor, lease: LockLease): Promise<boolean> {
  const expires = lease.nowSeconds + lease.leaseSeconds;
  return db.transaction(async (tx) => {
    const changed = await tx.run(sql`
      INSERT INTO job_locks (name, holder, acquired_at, expires_at)
      VALUES (${lease.name}, ${lease.holder}, ${lease.nowSeconds}, ${expires})
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
        expires_at = excluded.expires_at
      WHERE job_locks.expires_at < ${lease.nowSeconds} OR job_locks.holder = ${lease.holder}`);
    return changed > 0;
  });
}

export async function renewLock(db: SqlExecutor, lease: LockLease): Promise<void> {
  await db.run(sql`UPDATE job_locks SET expires_at = ${lease.nowSeconds + lease.leaseSeconds}
    WHERE name = ${lease.name} AND holder = ${lease.holder}`);
}

export async function releaseLock(db: SqlExecutor, name: string, holder: string): Promise<void> {
  await db.run(sql`DELETE FROM job_locks WHERE name = ${name} AND holder = ${holder}`);
}

export async function lockHolder(db: SqlExecutor, name: string): Promise<{ holder: string; expiresAt: number } | null> {
  const rows = await db.all<{ holder: string; expires_at: number }>(
    sql`SELECT holder, expires_at FROM job_locks WHERE name = ${name}`,
  );
  return rows[0] ? { holder: rows[0].holder, expiresAt: Number(rows[0].expires_at) } : null;
}
