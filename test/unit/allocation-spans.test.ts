// The per-VM figures of an allocation window from spans (src/core/allocation-spans.ts), checked by
// hand across a month end and a rate-card change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { windowFigures, type AllocationSpan } from '../../src/core/allocation-spans.js';
import { chargeRules } from '../../src/core/charge-rules.js';
import { rateCardsFromSettings, type RateCardSetting } from '../../src/core/rate-cards.js';

const H = 3600;
const DAY = 86_400;
const day = (text: string) => Date.parse(`${text}T00:00:00Z`) / 1000;

describe('allocation figures from spans', () => {
  const CARDS: RateCardSetting[] = [
    { valid_from: '2026-01-01', currency: 'EUR', per: 'month', tiers: { gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 }, silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08, vm: 0 } }, templates: 1, srm_placeholders: 0, node_charged: 0 },
    { valid_from: '2026-02-01', currency: 'EUR', per: 'month', tiers: { gold: { vcpu: 30, ram_gb: 5, disk_gb: 0.1, vm: 2 }, silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08, vm: 0 } }, templates: 1, srm_placeholders: 0, node_charged: 0 },
  ];
  const cards = rateCardsFromSettings(CARDS);
  const rules = chargeRules({ tenants_to_filter: [], node_charge_clusters: [], srm_activeactive_vms: [] });
  const start = day('2026-01-31');
  const window = { start, end: start + 2 * DAY, days: 2 };
  // 2026-01-31 and 2026-02-01, hourly, but 2026-02-01 02:00 missed: 47 samples.
  const times = Array.from({ length: 48 }, (_, i) => start + i * H).filter((t) => t !== start + 26 * H);
  const span = (lifecycleId: number, firstSeen: number, lastSeen: number | null, over: Partial<AllocationSpan> = {}): AllocationSpan => ({
    lifecycleId,
    firstSeen,
    lastSeen,
    name: `vm${lifecycleId}`,
    identityId: 1,
    placementId: 1,
    attributesId: 0,
    tier: 'gold',
    cluster: 'C1',
    provisionedDiskGb: 100,
    vcpuCount: 2,
    ramGb: 4,
    isTemplate: false,
    poweredOn: true,
    srmPlaceholder: false,
    ...over,
  });

  it('prices each month part by its own card and month length: units x days / (1e6 x k x T x monthDays)', () => {
    // vm1: gold throughout (a span before the window too). vm2: gold on Jan 31, silver from Feb 1
    // 00:00 with 4 vCPU (placed silver, its latest). vm3: a template on Feb 1 from 10:00 on.
    const spans = [
      span(1, start - 10 * DAY, null),
      span(2, start, start + 23 * H),
      span(2, start + 24 * H, null, { tier: 'silver', placementId: 2, vcpuCount: 4, name: 'vm2-new' }),
      span(3, start + 34 * H, null, { isTemplate: true }),
    ];
    const figures = windowFigures(times, spans, cards, window, rules.classify);
    assert.deepEqual(
      figures.map((f) => [f.lifecycleId, f.sums.samplesPresent, f.latest.name, f.chargeClass]),
      [
        [1, 47, 'vm1', 'chargeable'],
        [2, 47, 'vm2-new', 'chargeable'],
        [3, 14, 'vm3', 'template'],
      ],
    );
    const T = 47;
    // vm1: Jan 24 samples of gold at card 0, Feb 23 at card 1. vCPU units: 24 x 20e6 x 2 and 23 x 30e6 x 2.
    const m1 = figures[0]!.money;
    assert.equal(m1.vcpu, (24 * 20e6 * 2 * 2) / (1e6 * T * 31) + (23 * 30e6 * 2 * 2) / (1e6 * T * 28));
    assert.equal(m1.ram, (24 * 5e6 * 4096 * 2) / (1e6 * 1024 * T * 31) + (23 * 5e6 * 4096 * 2) / (1e6 * 1024 * T * 28));
    assert.equal(m1.disk, (24 * 100_000 * 10_000 * 2) / (1e6 * 100 * T * 31) + (23 * 100_000 * 10_000 * 2) / (1e6 * 100 * T * 28));
    assert.equal(m1.vm, (24 * 2e6 * 2) / (1e6 * T * 31) + (23 * 2e6 * 2) / (1e6 * T * 28));
    assert.equal(m1.total, m1.vcpu + m1.ram + m1.disk + m1.vm);
    // With no missed snapshot, a VM present throughout costs a day of each month's price: price / monthDays.
    const full = Array.from({ length: 48 }, (_, i) => start + i * H);
    const [whole] = windowFigures(full, [span(1, start, null)], cards, window, rules.classify);
    assert.ok(Math.abs(whole!.money.total - ((20 * 2 + 5 * 4 + 0.1 * 100 + 2) / 31 + (30 * 2 + 5 * 4 + 0.1 * 100 + 2) / 28)) < 1e-12);
    // vm2: Jan gold 2 vCPU (card 0), Feb silver 4 vCPU (card 1 silver 14).
    const m2 = figures[1]!.money;
    assert.equal(m2.vcpu, (24 * 20e6 * 2 * 2) / (1e6 * T * 31) + (23 * 14e6 * 4 * 2) / (1e6 * T * 28));
    assert.equal(m2.vm, (24 * 2e6 * 2) / (1e6 * T * 31) + 0);
    // vm3: a template pays the flat templates price per sample, nothing per vCPU.
    const m3 = figures[2]!.money;
    assert.deepEqual([m3.vcpu, m3.ram, m3.disk], [0, 0, 0]);
    assert.equal(m3.vm, (14 * 1e6 * 2) / (1e6 * T * 28));
  });

  it('is the daily formula for a one-day window, and costs nothing without cards', () => {
    const oneDay = { start, end: start + DAY, days: 1 };
    const dayTimes = times.filter((t) => t < start + DAY);
    const [f] = windowFigures(dayTimes, [span(1, start, null)], cards, oneDay, rules.classify);
    assert.equal(f!.money.vcpu, (24 * 20e6 * 2) / (1e6 * 24 * 31));
    const [free] = windowFigures(dayTimes, [span(1, start, null)], [], oneDay, rules.classify);
    assert.deepEqual(free!.money, { vcpu: 0, ram: 0, disk: 0, vm: 0, total: 0 });
  });
});
