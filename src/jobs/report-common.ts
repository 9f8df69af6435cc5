// What the report builders share: the settings they read, the charge classification of a row,
// paging through a vCenter's VM rows, and the totals of several vCenters.
import type { ChargeRules, ChargeRuleSettings } from '../core/charge-rules.js';
import type { RateCardSetting } from '../core/rate-cards.js';
import type { CostSetting } from '../core/report-currency.js';
import { SPEC_FIELD_NAMES } from '../core/report-headers.js';
import type { PivotEntry } from '../core/report-pivots.js';
import { addTotalsByGroup, type Breakdown, breakdownTotals, emptyTotalsByGroup, type TotalsByGroup } from '../core/report-totals.js';
import type { VmRowBase } from '../core/report-rows.js';
import { ALL_VCENTERS, type TotalsSheetModel } from '../reports/totals-sheet.js';

export interface ReportSettings extends ChargeRuleSettings {
  reports_dir: string;
  report_summary_pivots: readonly PivotEntry[];
  hourly_snapshot_max_age_days: number;
  daily_snapshot_max_age_months: number;
  /** Cost (README "Cost"); left out by library callers and tests that want none. */
  rate_cards?: readonly RateCardSetting[];
  /** Structurally settings.cost_dimensions (src/config may not be imported from jobs). */
  cost_dimensions?: readonly { name: string; from: string; default: string }[];
  report_cost_dimensions?: readonly string[];
}

/**
 * VM rows per database round trip. Both databases walk the summary key (vCenter, period, VM) from
 * the last row, so small pages cost little and keep the process small: 5,000-row pages held about
 * 70 MB more than 1,000-row ones for a 50,000-VM month, for no measurable speed.
 */
export const PAGE_SIZE = 1_000;

export function classifyRow(rules: ChargeRules, r: Pick<VmRowBase, 'name' | 'cluster' | 'isTemplate' | 'poweredOn' | 'srmPlaceholder'>) {
  return rules.classify({ name: r.name, cluster: r.cluster, isTemplate: r.isTemplate, poweredOn: r.poweredOn, srmPlaceholder: r.srmPlaceholder });
}

/** Every row of one vCenter, a page at a time, by keyset on the inventory id. */
export async function* pagesOf<R extends { inventoryId: number }>(readPage: (after: number, limit: number) => Promise<R[]>): AsyncGenerator<R[]> {
  let after = 0;
  for (;;) {
    const page = await readPage(after, PAGE_SIZE);
    if (page.length === 0) return;
    yield page;
    if (page.length < PAGE_SIZE) return;
    after = page[page.length - 1]!.inventoryId;
  }
}

/** Per-vCenter totals blocks and the all-vCenters block after them; cost columns when `cost` is set. */
export function totalsModel(perVcenter: readonly { vcenter: string; sums: Breakdown; totalSamples: number }[], cost: CostSetting | null): TotalsSheetModel {
  const all = emptyTotalsByGroup();
  const blocks: { vcenter: string; totals: TotalsByGroup }[] = perVcenter.map((v) => {
    const totals = breakdownTotals(v.sums, v.totalSamples);
    addTotalsByGroup(all, totals);
    return { vcenter: v.vcenter, totals };
  });
  blocks.push({ vcenter: ALL_VCENTERS, totals: all });
  return { blocks, cost };
}

/** Which spec field each renamed column is (src/core/report-headers.ts). */
export function specFieldsNote(): string {
  return `Columns and the spec's fields: ${SPEC_FIELD_NAMES.map(([header, field]) => `${header} = ${field}`).join('; ')}.`;
}

export const ALLOCATION_NOTES = [
  'Allocation and the Cost sheets count every VM where its latest sample in the period placed it (tier, cluster, cost dimensions), with its whole cost, as `vctp allocation` does: their totals are the VM sheet\'s. A VM without a value for a dimension is under "unassigned" (no tier: "No tier").',
  'Totals instead splits a VM that changed tier between its tiers by its samples in each, so its tier rows can differ from Allocation\'s for such VMs.',
];

export const CLASS_NOTES = [
  'Chargeable VMs are split by resource-pool tier (Tin, Bronze, Silver, Gold; "No tier" when no pool matched tier_patterns).',
  'Templates, SRM placeholders (and powered-off copies of srm_activeactive_vms) and VMs on node_charge_clusters are counted apart, never in the tier totals.',
  'The Charge class column of the VMs sheet says which group each VM is in; filter on it to trace a total back to its VMs.',
];
