// What both dialects' statements share: the target table and its column list, in the order of
// summaryColumns() (the app engine's bulk insert), so each statement's SELECT list lines up with it;
// and the cost parts (pricing segments as rows, charge class, money) written once for both.
import { sql, type SQL } from 'drizzle-orm';
import { VctpError } from '../../core/errors.js';
import type { PeriodKind } from '../../core/periods.js';
import { MICRO_PER_UNIT, PRICE_TIERS, tierPrices, type PriceTier, type PricingSegment } from '../../core/rate-cards.js';
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
 * What the statements need to write cost: the period's pricing segments (rate-cards.ts), its
 * periods per month (cost.ts moneyOf: the month's days for a day, 1 for a month), and the clusters
 * (as stored in vm_placements) that settings.node_charge_clusters matches.
 */
export interface SqlCost {
  segments: readonly PricingSegment[];
  periodsPerMonth: number;
  nodeClusters: readonly string[];
}

/**
 * One row per pricing segment and price tier: the segment's bounds and its card's prices for that
 * tier, already multiplied by the segment's month scale (exact integers), so that a span's units
 * are SUM(n x price x size) as in cost.ts addSampleCost. A segment without a card prices 0.
 */
export interface SegmentTierRow {
  start: number;
  end: number;
  tier: PriceTier;
  prices: [vcpu: number, ram: number, disk: number, vm: number, template: number, srm: number, node: number];
}

export function segmentTierRows(segments: readonly PricingSegment[]): SegmentTierRow[] {
  const rows: SegmentTierRow[] = [];
  for (const seg of segments) {
    for (const tier of PRICE_TIERS) {
      const card = seg.card;
      const p = card ? tierPrices(card, tier === 'none' ? null : tier) : { vcpu: 0, ramGb: 0, diskGb: 0, vm: 0 };
      const flat = card ? [card.template, card.srmPlaceholder, card.nodeCharged] : [0, 0, 0];
      const prices = [p.vcpu, p.ramGb, p.diskGb, p.vm, ...flat].map((price) => price * seg.scale) as SegmentTierRow['prices'];
      if (!prices.every(Number.isSafeInteger)) {
        throw new VctpError('config', `settings.rate_cards[${card?.index ?? 0}]: a price times the hours of a month exceeds 2^53 millionths of the currency`);
      }
      rows.push({ start: seg.start, end: seg.end, tier, prices });
    }
  }
  return rows;
}

/** The names of the seven unit columns of a segment-tier row, in SegmentTierRow.prices order. */
export const SEGMENT_PRICE_COLUMNS = ['p_vcpu', 'p_ram', 'p_disk', 'p_vm', 'p_template', 'p_srm', 'p_node'] as const;

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
