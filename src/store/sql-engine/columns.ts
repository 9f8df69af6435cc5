// What both dialects' statements share: the target table and its column list, in the order of
// summaryColumns() (the app engine's bulk insert), so each statement's SELECT list lines up with it;
// and the cost parts (pricing segments as rows, charge class, money) written once for both.
import { sql, type SQL } from 'drizzle-orm';
import { VctpError } from '../../core/errors.js';
import type { PeriodKind } from '../../core/periods.js';
import { MICRO_PER_UNIT, PRICE_TIERS, tierPrices, type PriceTier, type PricingSegment } from '../../core/rate-cards.js';
import { TIERS } from '../../core/tiers.js';
import { DISK_UNITS_PER_GB, RAM_UNITS_PER_GB } from '../../core/units.js';
import { SUMMARY_TABLE, summaryColumns } from '../summary-repository.js';
import { inList } from '../sql-util.js';

export interface SummaryTarget {
  table: SQL;
  columns: SQL;
}

export function summaryTarget(kind: PeriodKind): SummaryTarget {
  return {
    table: sql.raw(SUMMARY_TABLE[kind].table),
    columns: sql.raw(summaryColumns(kind).map((c) => c.name).join(', ')),
  };
}

/**
 * A period's bounds and its TotalSamples: either counted from the registry (daily) or the caller's
 * (monthly: from the daily registry rows, or the month's hourly times).
 */
export interface SpanPeriod {
  vcenterId: number;
  start: number;
  end: number;
  totalSamples: number | null;
}

/**
 * What the statements need to write cost: the period's pricing segments (rate-cards.ts) with the
 * indexes [from, to) of their samples in the period's sorted sample times (the job reads those
 * times anyway), the period's sample count, its periods per month (cost.ts moneyOf: the month's
 * days for a day, 1 for a month), and the clusters (as stored in vm_placements) that
 * settings.node_charge_clusters matches.
 */
export interface SqlCost {
  segments: readonly PricingSegment[];
  sampleRanges: readonly { from: number; to: number }[];
  sampleCount: number;
  periodsPerMonth: number;
  nodeClusters: readonly string[];
}

/** A segment with a card: its sample range, and its prices times its month scale (exact integers). */
interface PricedSegment {
  from: number;
  to: number;
  tier: Record<PriceTier, { vcpu: number; ram: number; disk: number; vm: number }>;
  template: number;
  srm: number;
  node: number;
}

function pricedSegments(cost: SqlCost): PricedSegment[] {
  const priced: PricedSegment[] = [];
  cost.segments.forEach((seg, i) => {
    const card = seg.card;
    if (card === undefined) return;
    const scaled = (price: number): number => {
      const value = price * seg.scale;
      if (!Number.isSafeInteger(value)) {
        throw new VctpError('config', `settings.rate_cards[${card.index}]: a price times the hours of a month exceeds 2^53 millionths of the currency`);
      }
      return value;
    };
    const tier = {} as PricedSegment['tier'];
    for (const t of PRICE_TIERS) {
      const p = tierPrices(card, t === 'none' ? null : t);
      tier[t] = { vcpu: scaled(p.vcpu), ram: scaled(p.ramGb), disk: scaled(p.diskGb), vm: scaled(p.vm) };
    }
    const range = cost.sampleRanges[i]!;
    if (range.to > range.from) {
      priced.push({ ...range, tier, template: scaled(card.template), srm: scaled(card.srmPlaceholder), node: scaled(card.nodeCharged) });
    }
  });
  return priced;
}

/** The dialect's pieces the cost expressions are written with. */
export interface CostDialect {
  /** An integer literal of the dialect's 64-bit type. */
  int: (value: number) => SQL;
  least: (a: SQL, b: SQL) => SQL;
  greatest: (a: SQL, b: SQL) => SQL;
}

/**
 * A span row's cost, written as SQL (cost.ts addSampleCost, per span instead of per sample): the
 * span's samples in each priced segment are n_k = max(0, min(le(hi), to_k) - max(le(lo - 1), from_k))
 * (le as the statements count it: how many of the period's sample times are <= x, so le is an index
 * into them, like from_k and to_k), and its units are n_k x the segment's price for the span's tier
 * x its size, summed over the segments, then per VM. No span is split and no segment is joined: the
 * prices are literals, picked per tier by a CASE. When one card prices the whole period (every day,
 * and every month without a card change), n_1 is the span's n, and the VM-price and flat-price units
 * come from the tier hits and SamplesPresent the statements sum anyway, leaving three SUMs.
 */
export interface SpanCostSql {
  /** Columns of a span row computed from `lh` = le(hi) and `ll` = le(lo - 1): n_k AS cost_n<k>. */
  counts(lh: SQL, ll: SQL): SQL[];
  /** Aggregates over the span rows `x`, each `agg(expression) AS name`: the sums units() reads (cost_s<k>: n_k summed). */
  sums(agg: (expression: SQL) => SQL): SQL[];
  /** The seven unit expressions over a VM's aggregated row `v`. */
  units(): UnitColumns;
}

export function spanCostSql(cost: SqlCost, d: CostDialect): SpanCostSql {
  const priced = pricedSegments(cost);
  const zero = d.int(0);
  const whole = priced.length === 1 && priced[0]!.from === 0 && priced[0]!.to === cost.sampleCount;
  const n = (k: number): SQL => (whole ? sql`x.n` : sql.raw(`x.cost_n${k}`));
  // A price by the span's tier: a literal when every tier has it, else a CASE (NULL tier: none).
  const byTier = (seg: PricedSegment, pick: (p: PricedSegment['tier'][PriceTier]) => number): SQL | null => {
    const values = PRICE_TIERS.map((t) => pick(seg.tier[t]));
    if (values.every((v) => v === values[0])) return values[0] === 0 ? null : d.int(values[0]!);
    const cases = TIERS.map((t, i) => sql` WHEN ${sql.raw(`'${t}'`)} THEN ${d.int(values[i]!)}`);
    return sql`CASE x.tier${sql.join(cases, sql``)} ELSE ${d.int(values[PRICE_TIERS.indexOf('none')]!)} END`;
  };
  // Sum over segments of n_k x price_k(tier), or null when every price is 0.
  const perSample = (pick: (p: PricedSegment['tier'][PriceTier]) => number): SQL | null => {
    const terms = priced.flatMap((seg, k) => {
      const price = byTier(seg, pick);
      return price === null ? [] : [sql`${n(k)} * ${price}`];
    });
    return terms.length === 0 ? null : sql.join(terms, sql` + `);
  };
  const vcpu = perSample((p) => p.vcpu);
  const ram = perSample((p) => p.ram);
  const disk = perSample((p) => p.disk);
  const vm = whole ? null : perSample((p) => p.vm);
  return {
    counts(lh, ll) {
      if (whole) return [];
      return priced.map((seg, k) => sql`${d.greatest(zero, sql`${d.least(lh, d.int(seg.to))} - ${d.greatest(ll, d.int(seg.from))}`)} AS ${sql.raw(`cost_n${k}`)}`);
    },
    sums(agg) {
      const out: SQL[] = [];
      if (vcpu) out.push(sql`${agg(sql`x.vcpu_count * (${vcpu})`)} AS cost_vcpu_units`);
      if (ram) out.push(sql`${agg(sql`x.ram_mb * (${ram})`)} AS cost_ram_units`);
      if (disk) out.push(sql`${agg(sql`x.disk_centigb * (${disk})`)} AS cost_disk_units`);
      if (vm) out.push(sql`${agg(vm)} AS cost_vm_units`);
      if (!whole) priced.forEach((_, k) => out.push(sql`${agg(n(k))} AS ${sql.raw(`cost_s${k}`)}`));
      return out;
    },
    units() {
      const flat = (pick: (seg: PricedSegment) => number): SQL => {
        const terms = priced.filter((seg) => pick(seg) !== 0).map((seg) => sql`${d.int(pick(seg))} * ${whole ? sql`v.samples_present` : sql.raw(`v.cost_s${priced.indexOf(seg)}`)}`);
        return terms.length === 0 ? zero : sql`(${sql.join(terms, sql` + `)})`;
      };
      let vmUnits: SQL = vm ? sql`v.cost_vm_units` : zero;
      if (whole) {
        // The tier's VM price x the samples in that tier; untiered samples are the rest.
        const seg = priced[0]!;
        const untiered = sql`(v.samples_present - v.tin_hits - v.bronze_hits - v.silver_hits - v.gold_hits)`;
        const terms = [
          ...TIERS.filter((t) => seg.tier[t].vm !== 0).map((t) => sql`${d.int(seg.tier[t].vm)} * ${sql.raw(`v.${t}_hits`)}`),
          ...(seg.tier.none.vm !== 0 ? [sql`${d.int(seg.tier.none.vm)} * ${untiered}`] : []),
        ];
        vmUnits = terms.length === 0 ? zero : sql`(${sql.join(terms, sql` + `)})`;
      }
      return {
        vcpu: vcpu ? sql`v.cost_vcpu_units` : zero,
        ram: ram ? sql`v.cost_ram_units` : zero,
        disk: disk ? sql`v.cost_disk_units` : zero,
        vm: vmUnits,
        template: flat((seg) => seg.template),
        srm: flat((seg) => seg.srm),
        node: flat((seg) => seg.node),
      };
    },
  };
}

/**
 * The charge class as far as SQL knows it, from the VM's latest sample (charge-rules.ts classify):
 * 0 chargeable, 1 template, 2 SRM placeholder, 3 node-charged. Active/active names
 * (srm_activeactive_vms, globs) are not matched here: the jobs rewrite the money of those rows from
 * the app with the same functions (src/jobs/aggregate-cost.ts), which is also why the class is
 * not one more GROUP BY key.
 */
export function chargeClassSql(isTemplate: SQL, srmPlaceholder: SQL, cluster: SQL, nodeClusters: readonly string[]): SQL {
  const node = nodeClusters.length === 0 ? sql`` : sql` WHEN ${cluster} IN (${inList(nodeClusters)}) THEN 3`;
  return sql`CASE WHEN ${isTemplate} = 1 THEN 1 WHEN ${srmPlaceholder} = 1 THEN 2${node} ELSE 0 END`;
}

/** Unit columns of a source row, by the names the summary tables use. */
export interface UnitColumns {
  vcpu: SQL;
  ram: SQL;
  disk: SQL;
  vm: SQL;
  template: SQL;
  srm: SQL;
  node: SQL;
}

export const unitsOf = (prefix: string): UnitColumns => ({
  vcpu: sql.raw(`${prefix}.cost_vcpu_units`),
  ram: sql.raw(`${prefix}.cost_ram_units`),
  disk: sql.raw(`${prefix}.cost_disk_units`),
  vm: sql.raw(`${prefix}.cost_vm_units`),
  template: sql.raw(`${prefix}.cost_template_units`),
  srm: sql.raw(`${prefix}.cost_srm_units`),
  node: sql.raw(`${prefix}.cost_node_units`),
});

/**
 * The seven unit columns, then the five money columns of cost.ts moneyOf(chargedUnits(units,
 * class), total, periodsPerMonth): each one division of the exact integer by the exact integer
 * 1e6 x k x total x periodsPerMonth, and total = ((vcpu + ram) + disk) + vm in that order.
 * `ratio` is the dialect's double division (0 for a 0 denominator), `int` its integer literal.
 */
export function unitsAndMoney(
  units: UnitColumns,
  cls: SQL,
  total: SQL,
  periodsPerMonth: number,
  ratio: (numerator: SQL, denominator: SQL) => SQL,
  int: (value: number) => SQL,
): SQL {
  const den = (k: number) => sql`(${int(MICRO_PER_UNIT * k)} * ${total} * ${int(periodsPerMonth)})`;
  const tiered = (column: SQL) => sql`CASE WHEN ${cls} = 0 THEN ${column} ELSE 0 END`;
  const vm = sql`CASE ${cls} WHEN 0 THEN ${units.vm} WHEN 1 THEN ${units.template} WHEN 2 THEN ${units.srm} ELSE ${units.node} END`;
  const money = [
    ratio(tiered(units.vcpu), den(1)),
    ratio(tiered(units.ram), den(RAM_UNITS_PER_GB)),
    ratio(tiered(units.disk), den(DISK_UNITS_PER_GB)),
    ratio(vm, den(1)),
  ];
  return sql.join(
    [
      units.vcpu,
      units.ram,
      units.disk,
      units.vm,
      units.template,
      units.srm,
      units.node,
      ...money,
      sql`((${money[0]} + ${money[1]}) + ${money[2]}) + ${money[3]}`,
    ],
    sql`, `,
  );
}
