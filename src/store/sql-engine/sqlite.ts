// The `sql` engine's statements for SQLite. Each is one INSERT ... SELECT: no row comes to Node.
//
// From spans (daily, and monthly with source `hourly`): a span holds its VM at every hourly registry
// time in [first_seen, last_seen], so its share of the period is how many of the period's sample
// times lie in [lo, hi] (first_seen and last_seen clipped to the period): le(hi) - le(lo - 1),
// where le(x) counts the times <= x. Never spans x samples as rows. le comes from one sort of the
// times with the spans' distinct bounds (a correlated COUNT over the registry index per span is
// simpler, but reads a span's whole range of index entries: over 10 days of hourly samples that
// step took 2.5x as long, and it grows with the period). The CTEs are MATERIALIZED because as plain subqueries
// SQLite (and PostgreSQL) copy a computed column into every expression that uses it. Per VM, the
// counts are summed and the span with the latest start, which (spans of a VM never overlap) holds
// the VM's latest sample, gives the "as of the end" columns: SQLite's documented bare-column rule
// (with a single max() aggregate, bare columns come from the row holding the maximum,
// https://sqlite.org/lang_select.html#bareagg) does that in the GROUP BY itself, a third faster
// than ROW_NUMBER() and SUM() OVER a window (PostgreSQL's way, ./postgres.ts).
//
// Values are those of src/core/period-rollup.ts and summary-values.ts to the bit: integer sums,
// then one double division of exact integers with the operands in the same order.
//
// Cost (./columns.ts spanCostSql): per span, its samples in each rate card's part of the period come
// from the same le values (le is an index into the period's sample times, and so are the parts'
// bounds), priced by literals per tier; summed per VM with the other sums.
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

/** JS Math.round (half toward +infinity) of a double, exactly: x - floor(x) is exact in IEEE. */
function jsRound(x: SQL): SQL {
  return sql`CAST(floor(${x}) + (CASE WHEN ${x} - floor(${x}) >= 0.5 THEN 1 ELSE 0 END) AS INTEGER)`;
}

/** numerator / denominator as one double division, 0 for a 0 denominator (summary-values.ts). */
function ratio(numerator: SQL, denominator: SQL): SQL {
  return sql`CASE WHEN ${denominator} = 0 THEN 0.0 ELSE CAST(${numerator} AS REAL) / ${denominator} END`;
}

/**
 * The tail of every summary row, from a source `v` with the integer sums and `total`: the sums,
 * then the spec's fields exactly as summaryValues() computes them.
 */
function sumsAndValues(): SQL {
  return sql`v.samples_present, v.total, v.sum_vcpu, v.sum_ram_mb, v.sum_disk_centigb,
    v.tin_hits, v.bronze_hits, v.silver_hits, v.gold_hits,
    ${ratio(sql`v.samples_present`, sql`v.total`)},
    ${ratio(sql`v.sum_vcpu`, sql`v.total`)},
    ${ratio(sql`v.sum_ram_mb`, sql`(v.total * 1024)`)},
    ${ratio(sql`v.sum_disk_centigb`, sql`(v.total * 100)`)},
    ${ratio(sql`(100 * v.tin_hits)`, sql`v.samples_present`)},
    ${ratio(sql`(100 * v.bronze_hits)`, sql`v.samples_present`)},
    ${ratio(sql`(100 * v.silver_hits)`, sql`v.samples_present`)},
    ${ratio(sql`(100 * v.gold_hits)`, sql`v.samples_present`)},
    ${ratio(sql`v.tin_hits`, sql`v.total`)},
    ${ratio(sql`v.bronze_hits`, sql`v.total`)},
    ${ratio(sql`v.silver_hits`, sql`v.total`)},
    ${ratio(sql`v.gold_hits`, sql`v.total`)}`;
}

const LATEST = sql`v.name, v.identity_id, v.placement_id, v.provisioned_disk_gb, v.vcpu_count, v.ram_gb,
    v.is_template, v.powered_on, v.srm_placeholder`;

const int = (value: number): SQL => sql.raw(String(value));
const DIALECT: CostDialect = { int, least: (a, b) => sql`MIN(${a}, ${b})`, greatest: (a, b) => sql`MAX(${a}, ${b})` };

/** The summary row's attributes_id, cost units and money, from a source `v` with `total`. */
function costTail(units: UnitColumns, cls: SQL, periodsPerMonth: number, attributesId: SQL): SQL {
  return sql`${attributesId}, ${unitsAndMoney(units, cls, sql`v.total`, periodsPerMonth, ratio, int)}`;
}

const withComma = (parts: SQL[]): SQL => (parts.length === 0 ? sql`` : sql`, ${sql.join(parts, sql`, `)}`);

/** Inserts the summary rows of [start, end) computed from the vCenter's spans. */
export async function sqliteRowsFromSpans(tx: SqlExecutor, kind: PeriodKind, p: SpanPeriod, cost: SqlCost): Promise<void> {
  const { table, columns } = summaryTarget(kind);
  const vc = p.vcenterId;
  const last = p.end - 1;
  const hourly = sql`r.vcenter_id = ${vc} AND r.kind = 'hourly'`;
  const inPeriod = sql`${hourly} AND r.snapshot_time >= ${p.start} AND r.snapshot_time < ${p.end}`;
  const total = p.totalSamples === null ? sql`(SELECT COUNT(*) FROM snapshot_registry r WHERE ${inPeriod})` : sql`CAST(${p.totalSamples} AS INTEGER)`;
  const spanCost = spanCostSql(cost, DIALECT);
  await tx.run(sql`
    WITH spans AS MATERIALIZED (
      SELECT s.lifecycle_id, s.first_seen, s.name, s.identity_id, s.placement_id, s.provisioned_disk_gb, s.vcpu_count,
             s.ram_gb, s.is_template, s.powered_on, s.srm_placeholder, s.attributes_id, pl.tier,
             ${chargeClassSql(sql`s.is_template`, sql`s.srm_placeholder`, sql`pl.cluster`, cost.nodeClusters)} AS cls,
             ${jsRound(sql`s.ram_gb * 1024`)} AS ram_mb,
             ${jsRound(sql`s.provisioned_disk_gb * 100`)} AS disk_centigb,
             MAX(s.first_seen, ${p.start}) AS lo,
             MIN(COALESCE(s.last_seen, ${last}), ${last}) AS hi
      FROM vm_spans s JOIN vm_placements pl ON pl.id = s.placement_id
      WHERE s.vcenter_id = ${vc} AND s.first_seen < ${p.end} AND (s.last_seen IS NULL OR s.last_seen >= ${p.start})
    ),
    -- le = how many of the period's sample times are <= x, for each bound x a span needs (hi and
    -- lo - 1): the times and the distinct bounds sorted together, a time before an equal bound, and
    -- the times counted as they pass.
    ranks AS MATERIALIZED (
      SELECT x, le FROM (
        SELECT x, is_time, SUM(is_time) OVER (ORDER BY x, is_time DESC ROWS UNBOUNDED PRECEDING) AS le
        FROM (
          SELECT r.snapshot_time AS x, 1 AS is_time FROM snapshot_registry r WHERE ${inPeriod}
          UNION ALL
          SELECT b, 0 FROM (SELECT hi AS b FROM spans UNION SELECT lo - 1 FROM spans)
        )
      )
      WHERE is_time = 0
    ),
    present AS MATERIALIZED (
      SELECT sp.*, rh.le - rl.le AS n${withComma(spanCost.counts(sql`rh.le`, sql`rl.le`))}
      FROM spans sp JOIN ranks rh ON rh.x = sp.hi JOIN ranks rl ON rl.x = sp.lo - 1
    )
    INSERT INTO ${table} (${columns})
    SELECT ${vc}, v.lifecycle_id, ${p.start},
      (SELECT r.snapshot_time FROM snapshot_registry r WHERE ${hourly} AND r.snapshot_time <= v.hi
       ORDER BY r.snapshot_time DESC LIMIT 1),
      ${LATEST},
      COALESCE(l.creation_time, 0), COALESCE(l.deletion_time, 0),
      ${sumsAndValues()},
      ${costTail(spanCost.units(), sql`v.cls`, cost.periodsPerMonth, sql`v.attributes_id`)}
    FROM (
      SELECT x.lifecycle_id, MAX(x.first_seen) AS first_seen, x.name, x.identity_id, x.placement_id, x.provisioned_disk_gb,
        x.vcpu_count, x.ram_gb, x.is_template, x.powered_on, x.srm_placeholder, x.attributes_id, x.cls, x.hi,
        ${total} AS total,
        SUM(x.n) AS samples_present,
        SUM(x.n * x.vcpu_count) AS sum_vcpu,
        SUM(x.n * x.ram_mb) AS sum_ram_mb,
        SUM(x.n * x.disk_centigb) AS sum_disk_centigb,
        SUM(CASE WHEN x.tier = 'tin' THEN x.n ELSE 0 END) AS tin_hits,
        SUM(CASE WHEN x.tier = 'bronze' THEN x.n ELSE 0 END) AS bronze_hits,
        SUM(CASE WHEN x.tier = 'silver' THEN x.n ELSE 0 END) AS silver_hits,
        SUM(CASE WHEN x.tier = 'gold' THEN x.n ELSE 0 END) AS gold_hits${withComma(spanCost.sums((e) => sql`SUM(${e})`))}
      FROM present x
      WHERE x.n > 0
      GROUP BY x.lifecycle_id
    ) v
    LEFT JOIN vm_lifecycle l ON l.id = v.lifecycle_id`);
}

/**
 * Inserts the month's summary rows from its daily rows: integer sums per VM, then the VM's latest
 * daily row (a primary-key lookup) for the "latest" columns, as readMonthFromDaily does. (Taking
 * them in the same pass through SQLite's bare-column rule for max() is slower with the period-major
 * key: GROUP BY sorts, and wide rows sort slower than 5,000 lookups; measured 1.1 s against 0.76 s
 * for a fleet-L month of 8 vCenters.)
 */
export async function sqliteMonthFromDaily(
  tx: SqlExecutor,
  vcenterId: number,
  start: number,
  end: number,
  totalSamples: number,
  cost: SqlCost,
): Promise<void> {
  const { table, columns } = summaryTarget('monthly');
  await tx.run(sql`
    INSERT INTO ${table} (${columns})
    SELECT ${vcenterId}, v.lifecycle_id, ${start}, d.snapshot_time,
      d.name, d.identity_id, d.placement_id, d.provisioned_disk_gb, d.vcpu_count, d.ram_gb,
      d.is_template, d.powered_on, d.srm_placeholder,
      COALESCE(l.creation_time, 0), COALESCE(l.deletion_time, 0),
      ${sumsAndValues()},
      ${costTail(unitsOf('v'), chargeClassSql(sql`d.is_template`, sql`d.srm_placeholder`, sql`pl.cluster`, cost.nodeClusters), cost.periodsPerMonth, sql`d.attributes_id`)}
    FROM (
      SELECT lifecycle_id, MAX(day) AS last_day, CAST(${totalSamples} AS INTEGER) AS total,
        SUM(samples_present) AS samples_present, SUM(sum_vcpu) AS sum_vcpu, SUM(sum_ram_mb) AS sum_ram_mb,
        SUM(sum_disk_centigb) AS sum_disk_centigb, SUM(tin_hits) AS tin_hits, SUM(bronze_hits) AS bronze_hits,
        SUM(silver_hits) AS silver_hits, SUM(gold_hits) AS gold_hits,
        SUM(cost_vcpu_units) AS cost_vcpu_units, SUM(cost_ram_units) AS cost_ram_units, SUM(cost_disk_units) AS cost_disk_units,
        SUM(cost_vm_units) AS cost_vm_units, SUM(cost_template_units) AS cost_template_units,
        SUM(cost_srm_units) AS cost_srm_units, SUM(cost_node_units) AS cost_node_units
      FROM vm_daily_rollup
      WHERE vcenter_id = ${vcenterId} AND day >= ${start} AND day < ${end}
      GROUP BY lifecycle_id
    ) v
    JOIN vm_daily_rollup d ON d.vcenter_id = ${vcenterId} AND d.lifecycle_id = v.lifecycle_id AND d.day = v.last_day
    -- For the latest cluster (node-charged VMs), and for parity with readMonthFromDaily (the app
    -- engine), whose inner join drops a row whose placement is gone; placements are never deleted.
    JOIN vm_placements pl ON pl.id = d.placement_id
    LEFT JOIN vm_lifecycle l ON l.id = v.lifecycle_id`);
}
