// The printout of `vctp explain` (src/core/explain.ts): the period, the spans with their samples per
// rate card, the integer sums, the charge class and why, every formula with its numbers filled in,
// the card entries behind each cost sum, and the stored summary row beside the recomputation.
// Integers are printed whole (with separators), results in full precision: a reader can redo each
// division by hand and get the same digits.
import type { CostPart, CostTerm, Explanation, ExplainedSpan } from './explain.js';
import { numberFormat } from './number-format.js';
import { formatMonth } from './periods.js';
import { formatUnixTime } from './time-bounds.js';

export interface ExplainHeader {
  vcenter: string;
  vmId: string;
  inventoryId: number;
  name: string;
  currency: string | null;
  /** Where the prices came from: `settings.rate_cards`, or a closed month's recorded cards. */
  cardsSource: string;
  /** The stored row's table. */
  storedTable: string;
}

const int = (n: number) => numberFormat(0).format(n);
const exact = (n: number) => String(n);
const money2 = (n: number) => numberFormat(2).format(n);
/** An exact result, with its two-decimal reading when that differs. */
const result = (n: number) => (money2(n).replace(/,/g, '') === exact(n) || Number.isInteger(n) ? exact(n) : `${exact(n)} (${money2(n)})`);
const price = (micro: number) => String(micro / 1_000_000);
const time = (t: number) => formatUnixTime(t);

const PART_NAMES: Record<CostPart, string> = { vcpu: 'vCPU', ram: 'RAM', disk: 'disk', vm: 'VM' };

export function formatExplanation(h: ExplainHeader, e: Explanation): string[] {
  const lines: string[] = [];
  const { period } = e;
  const kind = period.kind === 'monthly' ? 'month' : 'day';
  const lastDay = new Date((period.end - 86_400) * 1000).toISOString().slice(0, 10);
  const firstDay = new Date(period.start * 1000).toISOString().slice(0, 10);
  lines.push(`${h.name}: vCenter ${h.vcenter}, ${h.vmId}, inventory id ${h.inventoryId}`);
  lines.push(`${kind} ${period.label} (${firstDay === lastDay ? firstDay : `${firstDay} to ${lastDay}`}; ${time(period.start)} to ${time(period.end)}, end exclusive)`);
  lines.push(`TotalSamples T = ${int(e.totalSamples)}: the vCenter's hourly snapshots in the ${kind}`);
  lines.push(`periodsPerMonth = ${e.period.periodsPerMonth}${period.kind === 'daily' ? ` (days in ${formatMonth(period.start)}: a day is that share of the month's price)` : ' (a monthly row)'}`);
  lines.push(`rate cards: ${h.cardsSource}`);
  lines.push('');

  if (e.spans.length === 0) {
    lines.push(`no spans of this VM in the ${kind}: its hourly history there is gone (retention) or it was never seen in it`);
  } else {
    lines.push(`spans in the ${kind} (state unchanged from..to, its samples in the ${kind}):`);
    for (const s of e.spans) lines.push(`  ${spanLine(s)}`);
  }
  lines.push('');

  const s = e.sums;
  lines.push('integer sums over the present samples:');
  lines.push(`  SamplesPresent = ${int(s.samplesPresent)}`);
  lines.push(`  sum_vcpu = ${int(s.sumVcpu)} (vCPU x samples)`);
  lines.push(`  sum_ram_mb = ${int(s.sumRamMb)} (MiB x samples)`);
  lines.push(`  sum_disk_centigb = ${int(s.sumDiskCentiGb)} (0.01 GiB x samples)`);
  const tiers = [
    ['tin', s.tinHits],
    ['bronze', s.bronzeHits],
    ['silver', s.silverHits],
    ['gold', s.goldHits],
  ].filter(([, n]) => (n as number) > 0);
  const none = s.samplesPresent - s.tinHits - s.bronzeHits - s.silverHits - s.goldHits;
  if (none > 0) tiers.push(['none', none]);
  lines.push(`  samples per tier: ${tiers.map(([t, n]) => `${t} ${int(n as number)}`).join(', ') || '-'}`);
  lines.push('');

  const T = e.totalSamples;
  lines.push('averages:');
  lines.push(`  AvgIsPresent = SamplesPresent / T = ${int(s.samplesPresent)} / ${int(T)} = ${exact(e.values.avgIsPresent)}`);
  lines.push(`  AvgVcpuCount = sum_vcpu / T = ${int(s.sumVcpu)} / ${int(T)} = ${exact(e.values.avgVcpuCount)}`);
  lines.push(`  AvgRamGB = sum_ram_mb / (T x 1024) = ${int(s.sumRamMb)} / (${int(T)} x 1024) = ${exact(e.values.avgRamGb)}`);
  lines.push(`  AvgProvisionedDisk = sum_disk_centigb / (T x 100) = ${int(s.sumDiskCentiGb)} / (${int(T)} x 100) = ${exact(e.values.avgProvisionedDisk)}`);
  lines.push('');

  if (e.chargeClass) lines.push(`charge class: ${e.chargeClass}: ${e.chargeReason}`);
  if (h.currency === null) {
    lines.push('no rate cards: every cost is 0');
  } else {
    const cur = h.currency;
    lines.push(`cost in ${cur} (prices in millionths of a ${cur}, so every sum below is an exact integer; one division each):`);
    for (const part of ['vcpu', 'ram', 'disk', 'vm'] as const) {
      const c = e.cost[part];
      const name = PART_NAMES[part];
      if (c.terms.length === 0) {
        lines.push(`  ${name} units = 0`);
      } else {
        lines.push(`  ${name} units = ${c.terms.length > 1 ? `${c.terms.map((t) => int(t.units)).join(' + ')} = ` : ''}${int(c.units)}`);
        for (const t of c.terms) lines.push(`    ${termLine(t, cur)} = ${int(t.units)}`);
      }
      const k = c.k === 1 ? '' : `${c.k} x `;
      lines.push(
        `  cost ${name} = units / (1e6 x ${k}T x periodsPerMonth) = ${int(c.units)} / (1e6 x ${k}${int(T)} x ${e.period.periodsPerMonth}) = ${result(c.value)} ${cur}`,
      );
    }
    const v = (p: CostPart) => exact(e.cost[p].value);
    lines.push(`  total = ((vCPU + RAM) + disk) + VM = ((${v('vcpu')} + ${v('ram')}) + ${v('disk')}) + ${v('vm')} = ${result(e.total)} ${cur}`);
  }
  lines.push('');

  if (!e.stored) {
    lines.push(`stored summary (${h.storedTable}): none; the ${kind} is not aggregated for this VM (vctp aggregate ${period.kind} ${period.kind === 'daily' ? '--date' : '--month'} ${period.label})`);
  } else if (e.differences.length === 0) {
    lines.push(`stored summary (${h.storedTable}): matches the recomputation in every sum, average and cost, to the bit`);
  } else {
    lines.push(`stored summary (${h.storedTable}) differs in ${e.differences.map((d) => d.field).join(', ')}: ${differenceHint(e)}`);
  }
  return lines;
}

function spanLine(s: ExplainedSpan): string {
  const pieces = s.pieces.map((p) => `${p.card === null ? 'no card' : `rate_cards[${p.card}]`} ${int(p.samples)}`).join(', ');
  const flags = [s.poweredOn ? 'on' : 'off', ...(s.isTemplate ? ['template'] : []), ...(s.srmPlaceholder ? ['SRM placeholder'] : [])].join(', ');
  return (
    `${time(s.from)}..${time(s.to)}: ${int(s.samples)} samples (${pieces}); ${s.name}, ${s.vcpuCount} vCPU, ${s.ramGb} GiB RAM, ${s.provisionedDiskGb} GiB disk, ` +
    `pool ${s.resourcePool ?? '-'}, tier ${s.tier ?? 'none'}, cluster ${s.cluster ?? '-'}, ${flags}`
  );
}

const QUANTITY: Record<CostTerm['price'], (q: number) => string> = {
  vcpu: (q) => `${q} vCPU`,
  ram_gb: (q) => `${int(q)} MiB`,
  disk_gb: (q) => `${int(q)} x 0.01 GiB`,
  vm: () => '',
  templates: () => '',
  srm_placeholders: () => '',
  node_charged: () => '',
};

/** `rate_cards[0] (valid_from 2026-01-01) gold vcpu 20 EUR/month x 2 vCPU x 372 samples`, in millionths. */
function termLine(t: CostTerm, currency: string): string {
  const what = t.priceTier === null ? t.price : `${t.priceTier} ${t.price}`;
  const quantity = QUANTITY[t.price](t.quantity);
  const scale = t.scale === 1 ? '' : ` x ${t.scale} (hours in ${formatMonth(t.month)})`;
  return (
    `rate_cards[${t.card}] (valid_from ${t.validFrom}) ${what} ${price(t.microPrice)} ${currency}/${t.per} = ${int(t.microPrice)} millionths` +
    `${quantity ? ` x ${quantity}` : ''} x ${int(t.samples)} samples${scale}`
  );
}

function differenceHint(e: Explanation): string {
  const fields = new Set(e.differences.map((d) => d.field));
  const counts = [...fields].some((f) => !f.startsWith('cost_'));
  if (counts) {
    return 'the summary counted other snapshots or spans than are stored now (stale: vctp repair, or vctp aggregate re-runs it; after retention the hourly history may be gone)';
  }
  return 'the same samples were priced with other rate cards (the settings changed after the summary was built): re-aggregate the period to price it with the cards shown here';
}

/** The stored row beside the recomputation: [column, stored, recomputed, same?]. */
export function comparisonRows(e: Explanation): [string, string, string, string][] {
  if (!e.stored) return [];
  const st = e.stored;
  const rows: [string, number, number][] = [
    ['total_samples', st.totalSamples, e.totalSamples],
    ['samples_present', st.samplesPresent, e.sums.samplesPresent],
    ['sum_vcpu', st.sumVcpu, e.sums.sumVcpu],
    ['sum_ram_mb', st.sumRamMb, e.sums.sumRamMb],
    ['sum_disk_centigb', st.sumDiskCentiGb, e.sums.sumDiskCentiGb],
    ['avg_is_present', st.values.avgIsPresent, e.values.avgIsPresent],
    ['avg_vcpu_count', st.values.avgVcpuCount, e.values.avgVcpuCount],
    ['avg_ram_gb', st.values.avgRamGb, e.values.avgRamGb],
    ['avg_provisioned_disk', st.values.avgProvisionedDisk, e.values.avgProvisionedDisk],
    ['cost_vcpu_units', st.units.vcpu, e.units.vcpu],
    ['cost_ram_units', st.units.ram, e.units.ram],
    ['cost_disk_units', st.units.disk, e.units.disk],
    ['cost_vm_units', st.units.vm, e.units.vm],
    ['cost_template_units', st.units.template, e.units.template],
    ['cost_srm_units', st.units.srm, e.units.srm],
    ['cost_node_units', st.units.node, e.units.node],
    ['cost_vcpu', st.money.vcpu, e.cost.vcpu.value],
    ['cost_ram', st.money.ram, e.cost.ram.value],
    ['cost_disk', st.money.disk, e.cost.disk.value],
    ['cost_vm', st.money.vm, e.cost.vm.value],
    ['cost_total', st.money.total, e.total],
  ];
  return rows.map(([field, a, b]) => [field, exact(a), exact(b), a === b ? 'same' : 'DIFFERS']);
}
