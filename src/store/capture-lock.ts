// The transaction-scoped lock of PostgreSQL capture writers. Capture allocates span, identity and
// lifecycle ids itself, and backfill/retention rewrite what depends on the spans: all of them take
// this lock so that no capture commits in the middle of their transaction (PostgreSQL runs read
// committed). SQLite needs nothing: BEGIN IMMEDIATE already serialises writers.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';

// Any fixed number, the same in every process.
const PG_CAPTURE_LOCK = 7_467_302;

export async function excludeCaptures(tx: SqlExecutor): Promise<void> {
  if (tx.dialect === 'postgres') await tx.all(sql`SELECT pg_advisory_xact_lock(${PG_CAPTURE_LOCK})`);
}
