// Doctor's `database: partitions` check (PostgreSQL): whether the hourly history is partitioned by
// month as settings.postgres_vm_hourly_partitioning_enabled says, and whether this month's and next
// month's partitions exist (every job creates them; a missing one makes the next write fail).
import { doctorCheck, type DoctorCheck } from './doctor-check.js';

export interface PartitionTableFacts {
  table: string;
  partitioned: boolean;
  /** YYYY-MM of each monthly partition. */
  months: readonly string[];
  /** Its other partitions (open spans, daily and monthly rows). */
  others: readonly string[];
}

const SETTING = 'settings.postgres_vm_hourly_partitioning_enabled';

/** `nowMs`: this month and the next must have partitions. */
export function partitionCheck(
  enabled: boolean,
  facts: { tables: readonly PartitionTableFacts[]; detached: readonly string[] },
  nowMs: number,
): DoctorCheck {
  const partitioned = facts.tables.filter((t) => t.partitioned);
  const now = new Date(nowMs);
  const wanted = [0, 1].map((k) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1)).toISOString().slice(0, 7));
  const lines = facts.tables.map((t) =>
    t.partitioned
      ? `${t.table}: ${t.months.length} monthly partition(s)${t.months.length > 0 ? ` ${t.months[0]}..${t.months.at(-1)}` : ''}${t.others.length > 0 ? ` + ${t.others.join(', ')}` : ''}`
      : `${t.table}: not partitioned`,
  );
  const shown = { enabled, tables: facts.tables, detached: facts.detached };
  if (partitioned.length === 0) {
    return enabled
      ? doctorCheck('database: partitions', 'warn', `${SETTING} is true but no table is partitioned yet: the next job (or \`vctp db migrate\`) converts them`, shown)
      : doctorCheck('database: partitions', 'ok', `not partitioned (${SETTING} is false)`, shown);
  }
  const problems: string[] = [];
  if (!enabled) problems.push(`${SETTING} is false but the tables are partitioned: every job refuses to run; set it to true`);
  for (const t of partitioned) {
    const missing = wanted.filter((m) => !t.months.includes(m));
    if (missing.length > 0) problems.push(`${t.table} has no partition for ${missing.join(', ')}: run \`vctp db migrate\` (every job creates them)`);
  }
  if (facts.detached.length > 0) problems.push(`detached months left by an interrupted retention: ${facts.detached.join(', ')}; the next \`vctp retention\` drops them`);
  const status = !enabled ? 'fail' : problems.length > 0 ? 'warn' : 'ok';
  return doctorCheck('database: partitions', status, [...problems, ...lines].join('\n'), shown);
}
