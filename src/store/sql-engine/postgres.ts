// The `sql` engine's statements for PostgreSQL: the same shape as ./sqlite.ts (read its header),
// except that a span's sample count is a binary search in the period's sorted sample times
// (width_bucket) instead of a correlated COUNT, and that PostgreSQL's types are made explicit:
// `/` of integers truncates and `100.0` is NUMERIC, so every ratio casts both exact integers to
// float8 first (one IEEE division, as in Node); SUM(bigint) is NUMERIC, so sums are cast back to
// int8 (exact: every sum is far below 2^53; cost units are checked by the jobs when read back).
// Cost as in ./sqlite.ts (./columns.ts spanCostSql), from the same width_bucket values.
import { sql, type SQL } from 'drizzle-orm';
import type { PeriodKind } from '../../core/periods.js';
import type { SqlExecutor } from '../executor.js';
import {
  chargeClassSql,
  type CostDialect,
  spanCostSql,
  type SpanPeriod,
  type SqlCost,
  summaryTarget,
  type UnitColumns,
  unitsAndMoney,
  unitsOf,
} from './columns.js';

/**
 * JS Math.round (half toward +infinity) of a float8, exactly. PostgreSQL's round(float8) rounds
 * half to even (rint), which would differ on a tie; x - floor(x) is exact in IEEE.
 */
function jsRound(x: SQL): SQL {
  return sql`(floor(${x}) + (CASE WHEN ${x} - floor(${x}) >= 0.5 THEN 1 ELSE 0 END))::int8`;
}

function ratio(numerator: SQL, denominator: SQL): SQL {
  return sql`CASE WHEN ${denominator} = 0 THEN 0::float8 ELSE (${numerator})::float8 / (${denominator})::float8 END`;
}

function sumsAndValues(): SQL {
  return sql`v.samples_present, v.total, v.sum_vcpu, v.sum_ram_mb, v.sum_disk_centigb,
    v.tin_hits, v.bronze_hits, v.silver_hits, v.gold_hits,
    ${ratio(sql`v.samples_present`, sql`v.total`)},
    ${ratio(sql`v.sum_vcpu`, sql`v.total`)},
    ${ratio(sql`v.sum_ram_mb`, sql`v.total * 1024`)},
    ${ratio(sql`v.sum_disk_centigb`, sql`v.total * 100`)},
    ${ratio(sql`100 * v.tin_hits`, sql`v.samples_present`)},
    ${ratio(sql`100 * v.bronze_hits`, sql`v.samples_present`)},
    ${ratio(sql`100 * v.silver_hits`, sql`v.samples_present`)},
    ${ratio(sql`100 * v.gold_hits`, sql`v.samples_present`)},
    ${ratio(sql`v.tin_hits`, sql`v.total`)},
    ${ratio(sql`v.bronze_hits`, sql`v.total`)},
    ${ratio(sql`v.silver_hits`, sql`v.total`)},
    ${ratio(sql`v.gold_hits`, sql`v.total`)}`;
}

const LATEST = sql`v.name, v.identity_id, v.placement_id, v.provisioned_disk_gb, v.vcpu_count, v.ram_gb,
    v.is_template, v.powered_on, v.srm_placeholder`;

const int = (value: number): SQL => sql.raw(`${value}::int8`);
const DIALECT: CostDialect = { int, least: (a, b) => sql`LEAST(${a}, ${b})`, greatest: (a, b) => sql`GREATEST(${a}, ${b})` };

/** The summary row's attributes_id, cost units and money, from a source `v` with `total`. */
function costTail(units: UnitColumns, cls: SQL, periodsPerMonth: number, attributesId: SQL): SQL {
  return sql`${attributesId}, ${unitsAndMoney(units, cls, sql`v.total`, periodsPerMonth, ratio, int)}`;
}

const withComma = (parts: SQL[]): SQL => (parts.length === 0 ? sql`` : sql`, ${sql.join(parts, sql`, `)}`);

/**
 * Inserts the summary rows of [start, end) computed from the vCenter's spans. The period's sample
 * times are one sorted array; width_bucket() binary-searches it, so a span's count is
 * width_bucket(hi) - width_bucket(lo - 1) and its last sample is ts[width_bucket(hi)].
 */
export async function postgresRowsFromSpans(tx: SqlExecutor, kind: PeriodKind, p: SpanPeriod, cost: SqlCost): Promise<void> {
  const { table, columns } = summaryTarget(kind);
  const vc = sql`${p.vcenterId}::int4`;
  const start = sql`${p.start}::int8`;
  const end = sql`${p.end}::int8`;
  const last = sql`${p.end - 1}::int8`;
  const total = p.totalSamples === null ? sql`cardinality(t.ts)::int8` : sql`${p.totalSamples}::int8`;
  const spanCost = spanCostSql(cost, DIALECT);
  await tx.run(sql`
    WITH times AS MATERIALIZED (
      SELECT COALESCE(array_agg(r.snapshot_time ORDER BY r.snapshot_time), '{}'::int8[]) AS ts
      FROM snapshot_registry r
      WHERE r.vcenter_id = ${vc} AND r.kind = 'hourly' AND r.snapshot_time >= ${start} AND r.snapshot_time < ${end}
    ),
    present AS MATERIALIZED (
      SELECT w.*, w.wh - w.wl AS n${withComma(spanCost.counts(sql`w.wh`, sql`w.wl`))}
      FROM (
        SELECT b.*, ${total} AS total, width_bucket(b.hi, t.ts) AS wh, width_bucket(b.lo - 1, t.ts) AS wl,
          t.ts[width_bucket(b.hi, t.ts)] AS last_time
        FROM (
          SELECT s.lifecycle_id, s.first_seen, s.name, s.identity_id, s.placement_id, s.provisioned_disk_gb, s.vcpu_count,
                 s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder, s.attributes_id, pl.tier,
                 ${chargeClassSql(sql`s.is_template`, sql`s.srm_placeholder`, sql`pl.cluster`, cost.nodeClusters)} AS cls,
                 ${jsRound(sql`s.ram_gb * 1024`)} AS ram_mb,
                 ${jsRound(sql`s.provisioned_disk_gb * 100`)} AS disk_centigb,
                 GREATEST(s.first_seen, ${start}) AS lo,
                 LEAST(COALESCE(s.last_seen, ${last}), ${last}) AS hi
          FROM vm_spans s JOIN vm_placements pl ON pl.id = s.placement_id
          WHERE s.vcenter_id = ${vc} AND s.first_seen < ${end} AND (s.last_seen IS NULL OR s.last_seen >= ${start})
        ) b
        CROSS JOIN times t
      ) w
    )
    INSERT INTO ${table} (${columns})
    SELECT ${vc}, v.lifecycle_id, ${start}, v.last_time,
      ${LATEST},
      COALESCE(l.creation_time, 0), COALESCE(l.deletion_time, 0),
      ${sumsAndValues()},
      ${costTail(spanCost.units(), sql`v.cls`, cost.periodsPerMonth, sql`v.attributes_id`)}
    FROM (
      SELECT x.*,
        ROW_NUMBER() OVER w AS rn,
        (SUM(x.n) OVER w)::int8 AS samples_present,
        (SUM(x.n * x.vcpu_count) OVER w)::int8 AS sum_vcpu,
        (SUM(x.n * x.ram_mb) OVER w)::int8 AS sum_ram_mb,
        (SUM(x.n * x.disk_centigb) OVER w)::int8 AS sum_disk_centigb,
        (SUM(CASE WHEN x.tier = 'tin' THEN x.n ELSE 0 END) OVER w)::int8 AS tin_hits,
        (SUM(CASE WHEN x.tier = 'bronze' THEN x.n ELSE 0 END) OVER w)::int8 AS bronze_hits,
        (SUM(CASE WHEN x.tier = 'silver' THEN x.n ELSE 0 END) OVER w)::int8 AS silver_hits,
        (SUM(CASE WHEN x.tier = 'gold' THEN x.n ELSE 0 END) OVER w)::int8 AS gold_hits${withComma(spanCost.sums((e) => sql`(SUM(${e}) OVER w)::int8`))}
      FROM present x
      WHERE x.n > 0
      WINDOW w AS (PARTITION BY x.lifecycle_id ORDER BY x.first_seen DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ) v
    LEFT JOIN vm_lifecycle l ON l.id = v.lifecycle_id
    WHERE v.rn = 1`);
}

/**
 * Inserts the month's summary rows from its daily rows: integer sums per VM, then the VM's latest
 * daily row (a primary-key lookup) for the "latest" columns, as readMonthFromDaily does.
 */
export async function postgresMonthFromDaily(
  tx: SqlExecutor,
  vcenterId: number,
  start: number,
  end: number,
  totalSamples: number,
  cost: SqlCost,
): Promise<void> {
  const { table, columns } = summaryTarget('monthly');
  const vc = sql`${vcenterId}::int4`;
  await tx.run(sql`
    INSERT INTO ${table} (${columns})
    SELECT ${vc}, v.lifecycle_id, ${start}::int8, d.snapshot_time,
      d.name, d.identity_id, d.placement_id, d.provisioned_disk_gb, d.vcpu_count, d.ram_gb,
      d.is_template, d.powered_on, d.srm_placeholder,
      COALESCE(l.creation_time, 0), COALESCE(l.deletion_time, 0),
      ${sumsAndValues()},
      ${costTail(unitsOf('v'), chargeClassSql(sql`d.is_template`, sql`d.srm_placeholder`, sql`pl.cluster`, cost.nodeClusters), cost.periodsPerMonth, sql`d.attributes_id`)}
    FROM (
      SELECT lifecycle_id, MAX(day) AS last_day, ${totalSamples}::int8 AS total,
        SUM(samples_present)::int8 AS samples_present, SUM(sum_vcpu)::int8 AS sum_vcpu, SUM(sum_ram_mb)::int8 AS sum_ram_mb,
        SUM(sum_disk_centigb)::int8 AS sum_disk_centigb, SUM(tin_hits)::int8 AS tin_hits, SUM(bronze_hits)::int8 AS bronze_hits,
        SUM(silver_hits)::int8 AS silver_hits, SUM(gold_hits)::int8 AS gold_hits,
        SUM(cost_vcpu_units)::int8 AS cost_vcpu_units, SUM(cost_ram_units)::int8 AS cost_ram_units,
        SUM(cost_disk_units)::int8 AS cost_disk_units, SUM(cost_vm_units)::int8 AS cost_vm_units,
        SUM(cost_template_units)::int8 AS cost_template_units, SUM(cost_srm_units)::int8 AS cost_srm_units,
        SUM(cost_node_units)::int8 AS cost_node_units
      FROM vm_daily_rollup
      WHERE vcenter_id = ${vc} AND day >= ${start}::int8 AND day < ${end}::int8
      GROUP BY lifecycle_id
    ) v
    JOIN vm_daily_rollup d ON d.vcenter_id = ${vc} AND d.lifecycle_id = v.lifecycle_id AND d.day = v.last_day
    -- The latest cluster (node-charged VMs), and parity with readMonthFromDaily (see ./sqlite.ts).
    JOIN vm_placements pl ON pl.id = d.placement_id
    LEFT JOIN vm_lifecycle l ON l.id = v.lifecycle_id`);
}
