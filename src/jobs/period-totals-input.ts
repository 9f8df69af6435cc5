// Turns a summary (in memory or read back from the database, one row or a group of rows) into the
// inputs of period totals.
import type { ChargeRules } from '../core/charge-rules.js';
import { addCostUnits, type CostUnits, emptyCostUnits } from '../core/cost.js';
import { VctpError } from '../core/errors.js';
import { emptySums, type VmPeriodRollup } from '../core/period-rollup.js';
import type { PeriodTotalsInput } from '../core/period-totals.js';
import type { SummaryTotalsGroup } from '../store/backfill-repository.js';
import { num } from '../store/sql-util.js';
import { costUnitsFromRow, SUMMARY_COST_UNIT_COLUMNS, sumsFromRow } from '../store/summary-repository.js';

export function totalsInputFromSummary(r: VmPeriodRollup, rules: ChargeRules): PeriodTotalsInput {
  return {
    sums: r,
    cost: r.cost,
    poweredOn: r.latest.poweredOn,
    chargeClass: rules.classify(r.latest),
  };
}

export function totalsInputFromRow(input: { row: Record<string, unknown>; cluster: string | null }, rules: ChargeRules): PeriodTotalsInput {
  const r = input.row;
  const poweredOn = num(r.powered_on) === 1;
  // Read back from the SQL engine's int64 sums: checked exact (below 2^53) as the app engine's are.
  const cost = emptyCostUnits();
  addCostUnits(cost, costUnitsFromRow(r));
  return {
    sums: sumsFromRow(r),
    cost,
    poweredOn,
    chargeClass: rules.classify({
      name: String(r.name),
      cluster: input.cluster,
      isTemplate: num(r.is_template) === 1,
      poweredOn,
      srmPlaceholder: num(r.srm_placeholder) === 1,
    }),
  };
}

/**
 * periodTotals() counts one input per VM and adds up the sums of chargeable ones: a group of n VMs
 * becomes its summed input followed by n - 1 inputs with empty sums, so the counts and the (integer)
 * sums are exactly those of the rows. A group's cost units, read exactly as text, can pass 2^53
 * (each VM's stays below it): they are spread over the group's n inputs in pieces of at most
 * 2^53 - 1, which periodTotals adds up exactly again.
 */
export function* totalsInputsFromGroups(groups: readonly SummaryTotalsGroup[], rules: ChargeRules): Generator<PeriodTotalsInput> {
  for (const group of groups) {
    const pieces = SUMMARY_COST_UNIT_COLUMNS.map((column) => splitSafe(BigInt(String(group.row[column] ?? 0)), group.vmCount));
    const costAt = (i: number): CostUnits => ({
      vcpu: pieces[0]![i]!,
      ram: pieces[1]![i]!,
      disk: pieces[2]![i]!,
      vm: pieces[3]![i]!,
      template: pieces[4]![i]!,
      srm: pieces[5]![i]!,
      node: pieces[6]![i]!,
    });
    // The row without its cost sums (which totalsInputFromRow would take as numbers), then the pieces.
    const row = { ...group.row, ...Object.fromEntries(SUMMARY_COST_UNIT_COLUMNS.map((column) => [column, 0])) };
    const input = totalsInputFromRow({ row, cluster: group.cluster }, rules);
    yield { ...input, cost: costAt(0) };
    for (let i = 1; i < group.vmCount; i++) yield { ...input, sums: emptySums(), cost: costAt(i) };
  }
}

/** `total` as `count` safe integers that add up to it (it is below count x 2^53: one part per VM). */
function splitSafe(total: bigint, count: number): number[] {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  const parts: number[] = [];
  let rest = total;
  for (let i = 0; i < count; i++) {
    const part = rest > max ? max : rest;
    parts.push(Number(part));
    rest -= part;
  }
  if (rest !== 0n) throw new VctpError('database', 'a summary group\'s cost units exceed 2^53 per VM');
  return parts;
}
