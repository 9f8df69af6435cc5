// The transaction-scoped lock of PostgreSQL capture writers. Capture allocates span, identity and
// lifecycle ids itself, and backfill/retention rewrite what depends on the spans: all of them take
// this lock so that no capture commits in the middle of their transaction (PostgreSQL runs read
// committed). SQLite needs nothing: BEGIN IMMEDIATE already serialises writers.
//
// It comes first in the transaction: nothing a writer reads before it may decide what it writes
// (test/integration/stress-concurrency.test.ts checks that captures read no id before holding it). The commit releases it after the transaction is visible to the next holder.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';

// Any fixed number, the same in every process.
const PG_CAPTURE_LOCK = 7_467_302;

/**
 * Waits for the capture lock. Waiting is what this lock is for (the vCenters of one run with
 * hourly_snapshot_concurrency > 1 queue here, and so does a capture behind a long retention or
 * backfill), so the wait is not cut short by the session's lock_timeout (60 s by default, meant for
 * locks a stuck session holds): it stays bounded by statement_timeout, and every holder by its own
 * statement and idle-in-transaction timeouts. The transaction's later statements get lock_timeout back.
 */
export async function excludeCaptures(tx: SqlExecutor): Promise<void> {
  if (tx.dialect !== 'postgres') return;
  await tx.run(sql`SET LOCAL lock_timeout = 0`);
  await tx.all(sql`SELECT pg_advisory_xact_lock(${PG_CAPTURE_LOCK})`);
  await tx.run(sql`SET LOCAL lock_timeout TO DEFAULT`);
}
