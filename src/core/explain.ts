// `vctp explain VM --day D | --month M`: how one VM's figures of a period were derived, for a
// finance user who disputes a line. Recomputed here from the VM's spans and its vCenter's sample
// times exactly as aggregation computes them (rollupSpans, chargedUnits, moneyOf), with every term
// of every integer cost sum kept: which card entry, tier, price, size and how many samples. Then
// set beside the stored summary row, field by field. Pure: the reads are in src/queries/explain.ts.
import { spanSegmentCounts, type AllocationSpan } from './allocation-spans.js';
import type { ChargeClass, ChargeRuleSettings, ChargeableFacts } from './charge-rules.js';
import { chargedUnits, emptyCostUnits, moneyOf, type CostUnits, type Money } from './cost.js';
import { anyGlob } from './glob.js';
import { rollupSpans, emptySums, type SampleSums } from './period-rollup.js';
import { daysInMonthOf } from './periods.js';
import { pricingSegments, tierPrices, type PriceTier, type RateCard } from './rate-cards.js';
import { summaryValues, type SummaryValues } from './summary-values.js';
import type { Tier } from './tiers.js';
import { diskCentiGb, ramMb } from './units.js';

/** A span of the VM with its placement, as explain shows it. */
export interface ExplainSpan extends AllocationSpan {
  resourcePool: string | null;
  datacenter: string | null;
  folder: string | null;
}

export interface ExplainPeriod {
  kind: 'daily' | 'monthly';
  /** YYYY-MM-DD or YYYY-MM. */
  label: string;
  start: number;
  /** Exclusive. */
  end: number;
}

/** A stored vm_daily_rollup / vm_monthly_summary row: the values explain checks. */
export interface StoredSummary extends SampleSums {
  totalSamples: number;
  values: Pick<SummaryValues, 'avgIsPresent' | 'avgVcpuCount' | 'avgRamGb' | 'avgProvisionedDisk'>;
  units: CostUnits;
  money: Money;
}

export interface ExplainInput {
  period: ExplainPeriod;
  /** The vCenter's hourly sample times in the period, ascending. */
  times: readonly number[];
  /** The VM's spans that overlap the period, by first_seen. */
  spans: readonly ExplainSpan[];
  cards: readonly RateCard[];
  chargeSettings: ChargeRuleSettings;
  classify: (vm: ChargeableFacts) => ChargeClass;
  stored: StoredSummary | null;
}

/** One priced piece of a span: the samples it has in one pricing segment (one card, one month). */
export interface SpanPiece {
  /** Index in the card list used (null: no card valid then, free). */
  card: number | null;
  samples: number;
  scale: number;
}

export interface ExplainedSpan {
  firstSeen: number;
  lastSeen: number | null;
  /** Its first and last sample inside the period. */
  from: number;
  to: number;
  samples: number;
  pieces: SpanPiece[];
  name: string;
  vcpuCount: number;
  ramGb: number;
  provisionedDiskGb: number;
  resourcePool: string | null;
  tier: Tier | null;
  cluster: string | null;
  poweredOn: boolean;
  isTemplate: boolean;
  srmPlaceholder: boolean;
}

export type CostPart = 'vcpu' | 'ram' | 'disk' | 'vm';
/** Which price of a card a term applies. */
export type PriceKind = 'vcpu' | 'ram_gb' | 'disk_gb' | 'vm' | 'templates' | 'srm_placeholders' | 'node_charged';

/** One term of an integer cost sum: price x size x samples x scale, in millionths. */
export interface CostTerm {
  card: number;
  validFrom: string;
  per: 'month' | 'hour';
  /** The tier whose prices apply (`none`: a VM in no tiered pool); null for the flat prices. */
  priceTier: PriceTier | null;
  price: PriceKind;
  /** Micro-currency per `per`. */
  microPrice: number;
  /** vCPUs, MiB of RAM, 0.01 GiB of disk; 1 for per-VM prices. */
  quantity: number;
  samples: number;
  /** 1 for `per: month`; the month's hours for `per: hour`. */
  scale: number;
  /** The month (00:00 UTC of its 1st) of the samples; hourly cards scale by its length. */
  month: number;
  units: number;
}

export interface ExplainedCost {
  /** The integer sum charged (after the class picked the tier prices or a flat price). */
  units: number;
  terms: CostTerm[];
  /** k of the formula: 1, 1024 (RAM: MiB per GiB), 100 (disk: 0.01 GiB per GiB). */
  k: number;
  value: number;
}

export interface Difference {
  field: string;
  stored: number;
  recomputed: number;
}

export interface Explanation {
  period: ExplainPeriod & { periodsPerMonth: number };
  totalSamples: number;
  spans: ExplainedSpan[];
  sums: SampleSums;
  values: Pick<SummaryValues, 'avgIsPresent' | 'avgVcpuCount' | 'avgRamGb' | 'avgProvisionedDisk'>;
  chargeClass: ChargeClass | null;
  chargeReason: string | null;
  units: CostUnits;
  cost: Record<CostPart, ExplainedCost>;
  total: number;
  stored: StoredSummary | null;
  /** Empty when the stored row matches the recomputation (or there is none). */
  differences: Difference[];
}

const K: Record<CostPart, number> = { vcpu: 1, ram: 1024, disk: 100, vm: 1 };

/** Periods per month: a day's month length for daily rows, 1 for monthly ones (src/core/cost.ts moneyOf). */
const periodsPerMonth = (period: ExplainPeriod): number => (period.kind === 'monthly' ? 1 : daysInMonthOf(period.start));

export function explainVm(input: ExplainInput): Explanation {
  const { period, times, spans, cards } = input;
  const segments = pricingSegments(cards, period.start, period.end);
  const rollup = rollupSpans(times, spans, segments).values().next().value;
  const latest = rollup?.latest as ExplainSpan | undefined;
  const chargeClass = latest ? input.classify(latest) : null;
  const units = rollup?.cost ?? emptyCostUnits();
  const charged = chargeClass ? chargedUnits(units, chargeClass) : { vcpu: 0, ram: 0, disk: 0, vm: 0 };
  const ppm = periodsPerMonth(period);
  const money = moneyOf(charged, times.length, ppm);
  const sums: SampleSums = rollup ? pickSums(rollup) : emptySums();

  const explained: ExplainedSpan[] = [];
  const terms: Record<CostPart, CostTerm[]> = { vcpu: [], ram: [], disk: [], vm: [] };
  for (const span of spans) {
    const counts = spanSegmentCounts(times, span, segments);
    const samples = counts.reduce((n, c) => n + c.samples, 0);
    if (samples === 0) continue;
    const inPeriod = times.filter((t) => t >= span.firstSeen && (span.lastSeen === null || t <= span.lastSeen));
    explained.push({
      firstSeen: span.firstSeen,
      lastSeen: span.lastSeen,
      from: inPeriod[0]!,
      to: inPeriod.at(-1)!,
      samples,
      pieces: counts.map((c) => ({ card: c.segment.card ? c.segment.card.index : null, samples: c.samples, scale: c.segment.scale })),
      name: span.name,
      vcpuCount: span.vcpuCount,
      ramGb: span.ramGb,
      provisionedDiskGb: span.provisionedDiskGb,
      resourcePool: span.resourcePool,
      tier: span.tier,
      cluster: span.cluster,
      poweredOn: span.poweredOn,
      isTemplate: span.isTemplate,
      srmPlaceholder: span.srmPlaceholder,
    });
    if (!chargeClass) continue;
    for (const { segment, samples: n } of counts) {
      const card = segment.card;
      if (!card) continue;
      const term = (price: PriceKind, tier: PriceTier | null, microPrice: number, quantity: number): CostTerm => ({
        card: card.index,
        validFrom: card.validFromLabel,
        per: card.per,
        priceTier: tier,
        price,
        microPrice,
        quantity,
        samples: n,
        scale: segment.scale,
        month: segment.month,
        units: microPrice * quantity * n * segment.scale,
      });
      const tier: PriceTier = span.tier ?? 'none';
      const p = tierPrices(card, span.tier);
      switch (chargeClass) {
        case 'chargeable':
          terms.vcpu.push(term('vcpu', tier, p.vcpu, span.vcpuCount));
          terms.ram.push(term('ram_gb', tier, p.ramGb, ramMb(span.ramGb)));
          terms.disk.push(term('disk_gb', tier, p.diskGb, diskCentiGb(span.provisionedDiskGb)));
          terms.vm.push(term('vm', tier, p.vm, 1));
          break;
        case 'template':
          terms.vm.push(term('templates', null, card.template, 1));
          break;
        case 'srm_placeholder':
        case 'srm_standby':
          terms.vm.push(term('srm_placeholders', null, card.srmPlaceholder, 1));
          break;
        case 'node_charge':
          terms.vm.push(term('node_charged', null, card.nodeCharged, 1));
          break;
      }
    }
  }

  const cost = {} as Record<CostPart, ExplainedCost>;
  for (const part of ['vcpu', 'ram', 'disk', 'vm'] as const) {
    cost[part] = { units: charged[part], terms: mergeTerms(terms[part]), k: K[part], value: money[part] };
  }
  const values = summaryValues(sums, times.length);
  const explanation: Explanation = {
    period: { ...period, periodsPerMonth: ppm },
    totalSamples: times.length,
    spans: explained,
    sums,
    values: { avgIsPresent: values.avgIsPresent, avgVcpuCount: values.avgVcpuCount, avgRamGb: values.avgRamGb, avgProvisionedDisk: values.avgProvisionedDisk },
    chargeClass,
    chargeReason: latest && chargeClass ? chargeReason(chargeClass, latest, input.chargeSettings) : null,
    units,
    cost,
    total: money.total,
    stored: input.stored,
    differences: [],
  };
  explanation.differences = input.stored ? compareStored(explanation, input.stored) : [];
  return explanation;
}

function pickSums(s: SampleSums): SampleSums {
  return {
    samplesPresent: s.samplesPresent,
    sumVcpu: s.sumVcpu,
    sumRamMb: s.sumRamMb,
    sumDiskCentiGb: s.sumDiskCentiGb,
    tinHits: s.tinHits,
    bronzeHits: s.bronzeHits,
    silverHits: s.silverHits,
    goldHits: s.goldHits,
  };
}

/** Terms of the same card, tier, price, size, scale and month become one (a VM's spans often repeat them). */
function mergeTerms(terms: readonly CostTerm[]): CostTerm[] {
  const merged = new Map<string, CostTerm>();
  for (const t of terms) {
    const key = [t.card, t.priceTier, t.price, t.quantity, t.scale, t.month].join(' ');
    const known = merged.get(key);
    if (known) {
      known.samples += t.samples;
      known.units += t.units;
    } else merged.set(key, { ...t });
  }
  return [...merged.values()];
}

/** Why the VM is charged as it is, in the settings' terms. */
export function chargeReason(chargeClass: ChargeClass, latest: ChargeableFacts, settings: ChargeRuleSettings): string {
  const activeActive = anyGlob(settings.srm_activeactive_vms)(latest.name);
  switch (chargeClass) {
    case 'template':
      return 'a template at its latest sample: it pays the card\'s templates price per sample, nothing per vCPU, GiB or VM';
    case 'srm_standby':
      return `its name ${latest.name} matches settings.srm_activeactive_vms and it was powered off at its latest sample: the standby copy pays the srm_placeholders price`;
    case 'srm_placeholder':
      return 'an SRM placeholder (managed by vCenter Site Recovery) at its latest sample: it pays the srm_placeholders price; the protected VM is charged at its own site';
    case 'node_charge':
      return `its cluster ${latest.cluster ?? '-'} matches settings.node_charge_clusters: charged per host, it pays the node_charged price`;
    case 'chargeable':
      return activeActive
        ? `its name ${latest.name} matches settings.srm_activeactive_vms and it was powered on at its latest sample: charged like any VM, by its tier's prices`
        : 'not a template, SRM placeholder or VM of a node-charged cluster at its latest sample: charged by its tier\'s prices';
  }
}

const SUM_FIELDS = ['samplesPresent', 'sumVcpu', 'sumRamMb', 'sumDiskCentiGb', 'tinHits', 'bronzeHits', 'silverHits', 'goldHits'] as const;
const UNIT_FIELDS = ['vcpu', 'ram', 'disk', 'vm', 'template', 'srm', 'node'] as const;
const VALUE_FIELDS = ['avgIsPresent', 'avgVcpuCount', 'avgRamGb', 'avgProvisionedDisk'] as const;

/** Every stored value that differs from the recomputation, by its column name. */
export function compareStored(e: Explanation, stored: StoredSummary): Difference[] {
  const out: Difference[] = [];
  const check = (field: string, s: number, r: number) => {
    if (s !== r) out.push({ field, stored: s, recomputed: r });
  };
  check('total_samples', stored.totalSamples, e.totalSamples);
  for (const f of SUM_FIELDS) check(COLUMN[f], stored[f], e.sums[f]);
  for (const f of VALUE_FIELDS) check(COLUMN[f], stored.values[f], e.values[f]);
  for (const f of UNIT_FIELDS) check(`cost_${f}_units`, stored.units[f], e.units[f]);
  for (const f of ['vcpu', 'ram', 'disk', 'vm'] as const) check(`cost_${f}`, stored.money[f], e.cost[f].value);
  check('cost_total', stored.money.total, e.total);
  return out;
}

const COLUMN: Record<(typeof SUM_FIELDS)[number] | (typeof VALUE_FIELDS)[number], string> = {
  samplesPresent: 'samples_present',
  sumVcpu: 'sum_vcpu',
  sumRamMb: 'sum_ram_mb',
  sumDiskCentiGb: 'sum_disk_centigb',
  tinHits: 'tin_hits',
  bronzeHits: 'bronze_hits',
  silverHits: 'silver_hits',
  goldHits: 'gold_hits',
  avgIsPresent: 'avg_is_present',
  avgVcpuCount: 'avg_vcpu_count',
  avgRamGb: 'avg_ram_gb',
  avgProvisionedDisk: 'avg_provisioned_disk',
};
