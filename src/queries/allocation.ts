// `vctp allocation` and GET /api/allocation: cost and prorated size of the VMs of a window, grouped
// by any dimensions (README "Allocation"). A window that is one ended month reads that month's
// monthly summaries (their stored money columns, so the rows add up to the monthly report's); any
// other window, or a vCenter whose month is not aggregated, is computed from the spans: per vCenter
// its hourly samples in the window, each VM's exact sums and cost units per month part, priced
// sample by sample (src/core/allocation-spans.ts).
import { groupAllocation, parseDimensions, type AllocationDimension, type AllocationFigures, type AllocationPlacement, type AllocationRow, type AllocationVm } from '../core/allocation.js';
import { windowFigures } from '../core/allocation-spans.js';
import { parseAllocationWindow, type AllocationWindow } from '../core/allocation-window.js';
import { chargeRules, type ChargeRuleSettings } from '../core/charge-rules.js';
import { costDimensionsFromSettings } from '../core/cost-dimensions.js';
import { VctpError } from '../core/errors.js';
import { unixSeconds } from '../core/periods.js';
import { rateCardsFromSettings, type RateCardSetting } from '../core/rate-cards.js';
import { summaryValues } from '../core/summary-values.js';
import { parseAttributeSet } from '../core/vm-attributes.js';
import {
  monthlySummarySamples,
  readAttributeSetTexts,
  readMonthlyAllocationRows,
  readPlacements,
  readWindowSpans,
  type WindowSpan,
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
  const withNames = dimensions.some((d) => d.name === 'vm');
  const placements = await readPlacements(ctx.store);
  // Which vCenters read the month's summaries; the others' spans are read in one statement.
  const monthSamples = new Map<number, number | null>();
  for (const v of vcenters) monthSamples.set(v.id, window.wholeMonths ? await monthlySummarySamples(ctx.store, v.id, window.start) : null);
  const spanVcenters = vcenters.filter((v) => monthSamples.get(v.id) === null).map((v) => v.id);
  const spans = await readWindowSpans(ctx.store, spanVcenters, window.start, window.end, placements, withNames);
  const vms: CollectedVm[] = [];
  const sources: AllocationSource[] = [];
  for (const vcenter of vcenters) {
    const before = vms.length;
    const read = { placements, withNames, monthSamples: monthSamples.get(vcenter.id) ?? null, spans: spans.get(vcenter.id) ?? [] };
    const source = await collectVcenter(ctx, settings, window, vcenter, read, vms);
    if (source.total_samples > 0 || vms.length > before) sources.push({ ...source, vms: vms.length - before });
  }
  if (needsAttributes) await attachAttributeSets(ctx, vms);
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

/** A VM's figures with the id of its attribute set, looked up once every VM is read. */
interface CollectedVm extends AllocationVm {
  attributesId: number;
}

const NO_ATTRIBUTE_VALUES: Readonly<Record<string, string>> = Object.freeze({});

/** Objects built directly, one per VM (tens of thousands): no intermediate copies. */
async function collectVcenter(
  ctx: QueryContext,
  settings: AllocationSettings,
  window: AllocationWindow,
  vcenter: { id: number; name: string },
  read: { placements: ReadonlyMap<number, AllocationPlacement>; withNames: boolean; monthSamples: number | null; spans: readonly WindowSpan[] },
  out: CollectedVm[],
): Promise<Omit<AllocationSource, 'vms'>> {
  const placementOf = (id: number, vm: string) => {
    const placement = read.placements.get(id);
    if (!placement) throw new VctpError('database', `vm_placements: no row ${id}, which VM ${vcenter.name}/${vm} refers to`);
    return placement;
  };
  const monthSamples = read.monthSamples;
  if (monthSamples !== null) {
    for (const r of await readMonthlyAllocationRows(ctx.store, vcenter.id, window.start, read.withNames)) {
      out.push({
        vcenter: vcenter.name,
        vmId: r.vmId,
        lifecycleId: r.lifecycleId,
        name: r.name,
        placement: placementOf(r.placementId, r.vmId || `inventory id ${r.lifecycleId}`),
        attributes: NO_ATTRIBUTE_VALUES,
        attributesId: r.attributesId,
        proratedVms: r.avgIsPresent,
        avgVcpu: r.avgVcpuCount,
        avgRamGb: r.avgRamGb,
        avgDiskGb: r.avgProvisionedDisk,
        money: r.money,
      });
    }
    return { vcenter: vcenter.name, source: 'monthly_summary', total_samples: monthSamples };
  }
  const times = await readSampleTimes(ctx.store, vcenter.id, window.start, window.end);
  if (times.length === 0) return { vcenter: vcenter.name, source: 'spans', total_samples: 0 };
  const spans = read.spans;
  const vmIds = read.withNames ? new Map(spans.map((s) => [s.lifecycleId, s.vmId])) : null;
  const rules = chargeRules(settings);
  const t = times.length;
  for (const f of windowFigures(times, spans, rateCardsFromSettings(settings.rate_cards), window, rules.classify)) {
    // The same divisions as the summaries' averages.
    const values = summaryValues(f.sums, t);
    const vmId = vmIds?.get(f.lifecycleId) ?? '';
    out.push({
      vcenter: vcenter.name,
      vmId,
      lifecycleId: f.lifecycleId,
      name: f.latest.name,
      placement: placementOf(f.latest.placementId, vmId || `inventory id ${f.lifecycleId}`),
      attributes: NO_ATTRIBUTE_VALUES,
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

/** Reads the VMs' attribute sets (each distinct one once) and gives every VM its values. */
async function attachAttributeSets(ctx: QueryContext, vms: CollectedVm[]): Promise<void> {
  const texts = await readAttributeSetTexts(ctx.store, new Set(vms.map((v) => v.attributesId)));
  const sets = new Map<number, Readonly<Record<string, string>>>([[0, NO_ATTRIBUTE_VALUES]]);
  for (const vm of vms) {
    let set = sets.get(vm.attributesId);
    if (!set) {
      const text = texts.get(vm.attributesId);
      if (text === undefined) throw new VctpError('database', `vm_attribute_sets: no row ${vm.attributesId}, which VM ${vm.vcenter}/${vm.vmId || vm.lifecycleId} refers to`);
      set = Object.fromEntries(parseAttributeSet(text, `vm_attribute_sets.attributes (id ${vm.attributesId})`));
      sets.set(vm.attributesId, set);
    }
    vm.attributes = set;
  }
}

const iso = (unix: number) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
