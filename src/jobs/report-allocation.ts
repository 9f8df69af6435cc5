// The Allocation and Cost sheets of daily and monthly reports: the report's own VM rows (its first
// pass reads them anyway) grouped as `vctp allocation` groups them (src/core/allocation.ts: a VM
// placed by its latest sample, `unassigned` and `none` rather than dropped), so every sheet's
// total is the sum of the report's VM rows. Allocation: by tier, then by each of
// settings.report_cost_dimensions and tier; one Cost sheet per report_cost_dimensions entry.
import {
  type AllocationDimension,
  type AllocationFigures,
  type AllocationPlacement,
  type AllocationVm,
  groupAllocation,
  parseDimensions,
} from '../core/allocation.js';
import { costDimensionsFromSettings } from '../core/cost-dimensions.js';
import { VctpError } from '../core/errors.js';
import type { SummaryTotalsRow } from '../core/report-rows.js';
import { type PriceTier, PRICE_TIERS } from '../core/rate-cards.js';
import { NO_ATTRIBUTES, parseAttributeSet } from '../core/vm-attributes.js';
import type { AllocationBlock, AllocationSheetModel, CostSheetModel } from '../reports/allocation-sheet.js';
import type { Store } from '../store/executor.js';
import { readAttributeSetTexts, readPlacements } from '../store/allocation-repository.js';
import type { ReportSettings } from './report-common.js';

const NOT_YET_READ: AllocationPlacement = { datacenter: null, cluster: null, folder: null, resourcePool: null, tier: null };
const NO_ATTRIBUTE_VALUES: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Collects the report's VM rows in report order (by vCenter, then inventory id) while its first
 * pass reads them; their placements and attribute sets are filled in once all are read (the ids
 * kept beside them, so no VM object is copied: a 50,000-VM month makes 50,000 of them).
 */
export class ReportAllocation {
  private readonly vms: AllocationVm[] = [];
  private readonly placementIds: number[] = [];
  private readonly attributesIds: number[] = [];

  add(vcenter: string, r: SummaryTotalsRow): void {
    this.vms.push({
      vcenter,
      vmId: r.vmId,
      lifecycleId: r.inventoryId,
      name: r.name,
      placement: NOT_YET_READ,
      attributes: NO_ATTRIBUTE_VALUES,
      proratedVms: r.avgIsPresent,
      avgVcpu: r.avgVcpuCount,
      avgRamGb: r.avgRamGb,
      avgDiskGb: r.avgProvisionedDisk,
      money: r.money,
    });
    this.placementIds.push(r.placementId);
    this.attributesIds.push(r.attributesId);
  }

  /** The sheets' models; placements and attribute sets are read once, by id. */
  async sheets(store: Store, settings: ReportSettings): Promise<{ allocation: AllocationSheetModel; costs: CostSheetModel[] }> {
    const configured = costDimensionsFromSettings(settings.cost_dimensions ?? []);
    const names = settings.report_cost_dimensions ?? [];
    const dimensions = names.length === 0 ? [] : parseDimensions(names.join(','), configured, 'settings.report_cost_dimensions');
    const [tier] = parseDimensions('tier', configured);
    const vms = await this.resolve(store, dimensions);

    const byTier = groupAllocation(vms, [tier!]);
    const blocks: AllocationBlock[] = [
      {
        dimension: 'tier',
        rows: sortByTier(byTier.rows).map((row) => ({ value: tierLabel(row.tier!), tier: tierLabel(row.tier!), figures: row })),
        total: byTier.total,
      },
    ];
    const costs: CostSheetModel[] = [];
    for (const d of dimensions) {
      const single = groupAllocation(vms, [d]);
      costs.push({ dimension: d.name, rows: single.rows.map((row) => ({ value: displayValue(d, row[d.name]!), figures: row })), total: single.total });
      if (d.name === 'tier') continue;
      // Values in the Cost sheet's order (cost, highest first), tiers in their order inside each.
      const order = new Map(single.rows.map((row, i) => [row[d.name]!, i]));
      const split = groupAllocation(vms, [d, tier!]);
      const rows = sortByTier(split.rows).sort((a, b) => order.get(a[d.name]!)! - order.get(b[d.name]!)!);
      blocks.push({ dimension: d.name, rows: rows.map((row) => ({ value: row[d.name]!, tier: tierLabel(row.tier!), figures: row })), total: split.total });
    }
    return { allocation: { blocks }, costs };
  }

  private async resolve(store: Store, dimensions: readonly AllocationDimension[]): Promise<AllocationVm[]> {
    const placements = await readPlacements(store, this.placementIds);
    const withAttributes = dimensions.some((d) => d.kind === 'configured' && d.dimension.source.kind !== 'folder_level');
    const texts = withAttributes ? await readAttributeSetTexts(store, this.attributesIds) : new Map<number, string>();
    const sets = new Map<number, Readonly<Record<string, string>>>([[0, NO_ATTRIBUTE_VALUES]]);
    const attributesOf = (id: number): Readonly<Record<string, string>> => {
      let set = sets.get(id);
      if (set === undefined) {
        set = Object.fromEntries(parseAttributeSet(texts.get(id) ?? NO_ATTRIBUTES, `vm_attribute_sets.attributes (id ${id})`));
        sets.set(id, set);
      }
      return set;
    };
    this.vms.forEach((vm, i) => {
      const placement = placements.get(this.placementIds[i]!);
      if (placement === undefined) throw new VctpError('database', `vm_placements: no row ${this.placementIds[i]}, which VM ${vm.vcenter}/${vm.vmId} refers to`);
      vm.placement = placement;
      if (withAttributes) vm.attributes = attributesOf(this.attributesIds[i]!);
    });
    return this.vms;
  }
}

const TIER_LABELS: Record<PriceTier, string> = { tin: 'Tin', bronze: 'Bronze', silver: 'Silver', gold: 'Gold', none: 'No tier' };

/** Allocation's tier values (`gold`, `none`) as the workbooks write tiers (`Gold`, `No tier`). */
const tierLabel = (tier: string): string => TIER_LABELS[tier as PriceTier] ?? tier;

const displayValue = (d: AllocationDimension, value: string): string => (d.name === 'tier' ? tierLabel(value) : value);

/** Rows in tier order (Tin to Gold, then no tier); a stable sort keeps any earlier order within a tier. */
function sortByTier<R extends { tier?: string } & AllocationFigures>(rows: readonly R[]): R[] {
  const rank = (tier: string | undefined) => PRICE_TIERS.indexOf(tier as PriceTier);
  return [...rows].sort((a, b) => rank(a.tier) - rank(b.tier));
}
