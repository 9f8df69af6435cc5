// Turns a summary (in memory or read back from the database) into the inputs of period totals.
import type { ChargeRules } from '../core/charge-rules.js';
import { addCostUnits, emptyCostUnits } from '../core/cost.js';
import type { VmPeriodRollup } from '../core/period-rollup.js';
import type { PeriodTotalsInput } from '../core/period-totals.js';
import { num } from '../store/sql-util.js';
import { costUnitsFromRow, sumsFromRow } from '../store/summary-repository.js';

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
