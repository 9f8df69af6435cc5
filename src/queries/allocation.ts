// `vctp allocation` and GET /api/allocation: cost and prorated size of the VMs of a window, grouped
// by any dimensions (README "Allocation"). A window that is one ended month reads that month's
// monthly summaries (their stored money columns, so the rows add up to the monthly report's); any
// other window, or a vCenter whose month is not aggregated, is computed from the spans: per vCenter
// its hourly samples in the window, each VM's exact sums and cost units per month part, priced
// sample by sample (src/core/allocation-spans.ts).
import { groupAllocation, parseDimensions, type AllocationDimension, type AllocationFigures, type AllocationRow, type AllocationVm } from '../core/allocation.js';
import { windowFigures } from '../core/allocation-spans.js';
import { parseAllocationWindow, type AllocationWindow } from '../core/allocation-window.js';
import { chargeRules, type ChargeRuleSettings } from '../core/charge-rules.js';
import { costDimensionsFromSettings } from '../core/cost-dimensions.js';
import { VctpError } from '../core/errors.js';
import { unixSeconds } from '../core/periods.js';
import { rateCardsFromSettings, type RateCardSetting } from '../core/rate-cards.js';
import { summaryValues } from '../core/summary-values.js';
import { NO_ATTRIBUTES, parseAttributeSet } from '../core/vm-attributes.js';
import {
  hasMonthlySummary,
  readAttributeSetTexts,
  readMonthlyAllocationRows,
  readPlacements,
  readWindowSpans,
} from '../store/allocation-repository.js';
import { readSampleTimes } from '../store/summary-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import type { QueryContext } from './context.js';

/** What allocation reads from the settings. */
export interface AllocationSettings extends ChargeRuleSettings {
  rate_cards: readonly RateCardSetting[];
  cost_dimensions: readonly { name: string; from: string; default: string }[];
}

export interface AllocationInput {
  /** `lastmonth`, `7d`, `2026-10`, `2026-10-01..2026-10-15`, ... (src/core/allocation-window.ts). */
  window: string;
  /** `tenant,tier`. */
  by: string;
  vcenters?: readonly string[];
}

/** Where one vCenter's figures came from. */
export interface AllocationSource {
  vcenter: string;
  /** monthly_summary: the month's stored summaries; spans: computed from the hourly history. */
  source: 'monthly_summary' | 'spans';
  /** The vCenter's snapshots in the window (TotalSamples). */
  total_samples: number;
  vms: number;
}

export interface AllocationResult {
  /** ISO 8601 UTC; end is exclusive (00:00 after the window's last day). */
  window: { start: string; end: string };
  /** The window for people, inclusive days: `2026-10-01 to 2026-10-31`. */
  period: string;
  days: number;
  by: string[];
  /** rate_cards[0].currency; null without rate cards (every cost 0). */
  currency: string | null;
  sources: AllocationSource[];
  rows: AllocationRow[];
  total: AllocationFigures;
}

export async function readAllocation(ctx: QueryContext, settings: AllocationSettings, input: AllocationInput): Promise<AllocationResult> {
  // Errors name the CLI's flags; vctp serve says them as query fields (query.window).
  const window = parseAllocationWindow(input.window, unixSeconds(ctx.now()));
  const dimensions = parseDimensions(input.by, costDimensionsFromSettings(settings.cost_dimensions));
  const known = await listVcenters(ctx.store);
  const wanted = input.vcenters ?? [];
  const unknown = wanted.filter((name) => !known.some((v) => v.name === name));
  if (unknown.length > 0) {
    throw new VctpError('usage', `--vcenter ${unknown.join(', ')}: no snapshots of such a vCenter (known: ${known.map((v) => v.name).join(', ') || 'none'})`);
  }
  const vcenters = wanted.length > 0 ? known.filter((v) => wanted.includes(v.name)) : known;

  const needsAttributes = dimensions.some((d) => d.kind === 'configured' && d.dimension.source.kind !== 'folder_level');
  const collected: PendingVm[] = [];
  const sources: AllocationSource[] = [];
  for (const vcenter of vcenters) {
    const before = collected.length;
    const source = await collectVcenter(ctx, settings, window, vcenter, collected);
    if (source.total_samples > 0 || collected.length > before) sources.push({ ...source, vms: collected.length - before });
  }
  const vms = await resolveVms(ctx, collected, needsAttributes);
  const { rows, total } = groupAllocation(vms, dimensions);
  return {
    window: { start: iso(window.start), end: iso(window.end) },
    period: window.label,
    days: window.days,
    by: dimensions.map((d: AllocationDimension) => d.name),
    currency: settings.rate_cards[0]?.currency ?? null,
    sources,
    rows,
    total,
  };
}

/** A VM's figures before its placement and attribute set are looked up. */
interface PendingVm extends Omit<AllocationVm, 'placement' | 'attributes'> {
  placementId: number;
  attributesId: number;
}

async function collectVcenter(
  ctx: QueryContext,
  settings: AllocationSettings,
  window: AllocationWindow,
  vcenter: { id: number; name: string },
  out: PendingVm[],
): Promise<Omit<AllocationSource, 'vms'>> {
  if (window.wholeMonths && (await hasMonthlySummary(ctx.store, vcenter.id, window.start))) {
    const rows = await readMonthlyAllocationRows(ctx.store, vcenter.id, window.start);
    for (const r of rows) {
      out.push({
        vcenter: vcenter.name,
        vmId: r.vmId,
        lifecycleId: r.lifecycleId,
        name: r.name,
        placementId: r.placementId,
        attributesId: r.attributesId,
        proratedVms: r.avgIsPresent,
        avgVcpu: r.avgVcpuCount,
        avgRamGb: r.avgRamGb,
        avgDiskGb: r.avgProvisionedDisk,
        money: r.money,
      });
    }
    return { vcenter: vcenter.name, source: 'monthly_summary', total_samples: rows[0]?.totalSamples ?? 0 };
  }
  const times = await readSampleTimes(ctx.store, vcenter.id, window.start, window.end);
  if (times.length === 0) return { vcenter: vcenter.name, source: 'spans', total_samples: 0 };
  const spans = await readWindowSpans(ctx.store, vcenter.id, window.start, window.end);
  const vmIds = new Map(spans.map((s) => [s.lifecycleId, s.vmId]));
  const rules = chargeRules(settings);
  const t = times.length;
  for (const f of windowFigures(times, spans, rateCardsFromSettings(settings.rate_cards), window, rules.classify)) {
    // The same divisions as the summaries' averages.
    const values = summaryValues(f.sums, t);
    out.push({
      vcenter: vcenter.name,
      vmId: vmIds.get(f.lifecycleId)!,
      lifecycleId: f.lifecycleId,
      name: f.latest.name,
      placementId: f.latest.placementId,
      attributesId: f.latest.attributesId,
      proratedVms: values.avgIsPresent,
      avgVcpu: values.avgVcpuCount,
      avgRamGb: values.avgRamGb,
      avgDiskGb: values.avgProvisionedDisk,
      money: f.money,
    });
  }
  return { vcenter: vcenter.name, source: 'spans', total_samples: t };
}

/** Looks up the VMs' placements and (when a dimension reads them) attribute sets. */
async function resolveVms(ctx: QueryContext, pending: readonly PendingVm[], withAttributes: boolean): Promise<AllocationVm[]> {
  const placements = await readPlacements(ctx.store, pending.map((p) => p.placementId));
  const texts = withAttributes ? await readAttributeSetTexts(ctx.store, pending.map((p) => p.attributesId)) : new Map<number, string>();
  const attributeSets = new Map<number, Readonly<Record<string, string>>>([[0, {}]]);
  const attributesOf = (id: number) => {
    let set = attributeSets.get(id);
    if (!set) {
      set = Object.fromEntries(parseAttributeSet(texts.get(id) ?? NO_ATTRIBUTES, `vm_attribute_sets.attributes (id ${id})`));
      attributeSets.set(id, set);
    }
    return set;
  };
  return pending.map(({ placementId, attributesId, ...vm }) => {
    const placement = placements.get(placementId);
    if (!placement) throw new VctpError('database', `vm_placements: no row ${placementId}, which VM ${vm.vcenter}/${vm.vmId} refers to`);
    return { ...vm, placement, attributes: withAttributes ? attributesOf(attributesId) : {} };
  });
}

const iso = (unix: number) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
