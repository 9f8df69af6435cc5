// vctp explain's pure parts (src/core/explain.ts, explain-format.ts): the terms of each cost sum
// across a card change from a per-month to a per-hour card, the formulas' lines, the comparison.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chargeRules } from '../../src/core/charge-rules.js';
import { explainVm, type ExplainSpan } from '../../src/core/explain.js';
import { comparisonRows, formatExplanation } from '../../src/core/explain-format.js';
import { rateCardsFromSettings } from '../../src/core/rate-cards.js';

const H = 3600;
const day = (text: string) => Date.parse(`${text}T00:00:00Z`) / 1000;
const START = day('2026-10-01');
const END = day('2026-11-01');
const settings = { tenants_to_filter: [], node_charge_clusters: ['Nodes'], srm_activeactive_vms: [] };
const cards = rateCardsFromSettings([
  { valid_from: '2026-01-01', currency: 'EUR', per: 'month', tiers: { gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 } }, templates: 0, srm_placeholders: 0, node_charged: 7 },
  { valid_from: '2026-10-16', currency: 'EUR', per: 'hour', tiers: { gold: { vcpu: 0.03, ram_gb: 0, disk_gb: 0, vm: 0 } }, templates: 0, srm_placeholders: 0, node_charged: 0.01 },
]);
const times = Array.from({ length: (END - START) / H }, (_, i) => START + i * H);
const span = (over: Partial<ExplainSpan> = {}): ExplainSpan => ({
  lifecycleId: 7,
  firstSeen: START - 86_400,
  lastSeen: null,
  name: 'web01',
  identityId: 1,
  placementId: 1,
  attributesId: 0,
  tier: 'gold',
  cluster: 'C1',
  provisionedDiskGb: 100,
  vcpuCount: 2,
  ramGb: 8,
  isTemplate: false,
  poweredOn: true,
  srmPlaceholder: false,
  resourcePool: '/DC0/host/C1/Resources/Gold',
  datacenter: 'DC0',
  folder: '/DC0/vm',
  ...over,
});
const period = { kind: 'monthly' as const, label: '2026-10', start: START, end: END };
const header = { vcenter: 'vc1', vmId: 'vm-7', inventoryId: 7, name: 'web01', currency: 'EUR', cardsSource: 'settings.rate_cards', storedTable: 'vm_monthly_summary' };

describe('explain', () => {
  it('keeps each card\'s term apart, scales an hourly card by the month\'s hours, and prints the formulas', () => {
    const e = explainVm({ period, times, spans: [span()], cards, chargeSettings: settings, classify: chargeRules(settings).classify, stored: null });
    assert.deepEqual(
      e.cost.vcpu.terms.map((t) => [t.card, t.per, t.microPrice, t.samples, t.scale, t.units]),
      [
        [0, 'month', 20_000_000, 360, 1, 20_000_000 * 2 * 360],
        [1, 'hour', 30_000, 384, 744, 30_000 * 2 * 384 * 744],
      ],
    );
    assert.equal(e.cost.vcpu.units, 20_000_000 * 2 * 360 + 30_000 * 2 * 384 * 744);
    assert.equal(e.cost.vcpu.value, e.cost.vcpu.units / (1e6 * 744 * 1));
    const lines = formatExplanation(header, e);
    assert.ok(lines.includes('  AvgVcpuCount = sum_vcpu / T = 1,488 / 744 = 2'));
    assert.ok(lines.some((l) => l === '    rate_cards[1] (valid_from 2026-10-16) gold vcpu 0.03 EUR/hour = 30,000 millionths x 2 vCPU x 384 samples x 744 (hours in 2026-10) = 17,141,760,000'));
    assert.ok(lines.some((l) => l.startsWith('  cost vCPU = units / (1e6 x T x periodsPerMonth) = 31,541,760,000 / (1e6 x 744 x 1) = 42.39483870967742 (42.39) EUR')));
    assert.ok(lines.some((l) => l.includes('stored summary (vm_monthly_summary): none')));
  });

  it('a node-charged VM pays the node price; a differing stored row is named, field by field', () => {
    const rules = chargeRules(settings);
    const e = explainVm({ period, times, spans: [span({ cluster: 'Nodes' })], cards, chargeSettings: settings, classify: rules.classify, stored: null });
    assert.equal(e.chargeClass, 'node_charge');
    assert.match(e.chargeReason!, /its cluster Nodes matches settings.node_charge_clusters/);
    assert.deepEqual(e.cost.vm.terms.map((t) => [t.price, t.microPrice, t.samples, t.scale]), [
      ['node_charged', 7_000_000, 360, 1],
      ['node_charged', 10_000, 384, 744],
    ]);
    assert.equal(e.cost.vcpu.value, 0);
    const stored = { ...e.sums, totalSamples: 744, values: e.values, units: { ...e.units }, money: { vcpu: e.cost.vcpu.value, ram: e.cost.ram.value, disk: e.cost.disk.value, vm: e.cost.vm.value, total: e.total } };
    stored.units.node += 1;
    const again = explainVm({ period, times, spans: [span({ cluster: 'Nodes' })], cards, chargeSettings: settings, classify: rules.classify, stored });
    assert.deepEqual(again.differences.map((d) => d.field), ['cost_node_units']);
    assert.deepEqual(comparisonRows(again).find((r) => r[0] === 'cost_node_units')?.[3], 'DIFFERS');
    assert.ok(formatExplanation(header, again).some((l) => /differs in cost_node_units: the same samples were priced with other rate cards/.test(l)));
  });
});
