// Golden cases of the daily and monthly formulas (spec "Prorating and Aggregation Logic", README "Aggregation"
// "Numbers, decided"), each expected value worked out by hand in the comment beside it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chargedUnits, emptyCostUnits, moneyOf } from '../../src/core/cost.js';
import { addCostedSums, addSums, emptyCostedSums, emptySums, rollupSpans, type AggregationSpan } from '../../src/core/period-rollup.js';
import { pricingSegments, rateCardsFromSettings, type RateCardSetting } from '../../src/core/rate-cards.js';
import { dayPeriod, daysOf, expectedSamples, monthPeriod } from '../../src/core/periods.js';
import { summaryValues } from '../../src/core/summary-values.js';

const DAY = dayPeriod('2026-04-21');
const H = 3600;
const hourly = (start: number, hours: number[]) => hours.map((h) => start + h * H);
const ALL_DAY = hourly(DAY.start, [...Array(24).keys()]);
const at = (hour: number, minute = 0) => DAY.start + hour * H + minute * 60;

const span = (over: Partial<AggregationSpan>): AggregationSpan => ({
  lifecycleId: 1,
  firstSeen: 0,
  lastSeen: null,
  name: 'vm',
  identityId: 1,
  placementId: 1,
  tier: 'gold',
  cluster: 'C0',
  provisionedDiskGb: 100,
  vcpuCount: 2,
  ramGb: 8,
  isTemplate: false,
  poweredOn: true,
  srmPlaceholder: false,
  attributesId: 0,
  ...over,
});

function daily(samples: number[], spans: AggregationSpan[]) {
  const rollups = rollupSpans(samples, spans);
  return [...rollups.values()].map((r) => ({ rollup: r, values: summaryValues(r, samples.length) }));
}

describe('daily golden cases', () => {
  it('a VM present all day', () => {
    const [row] = daily(ALL_DAY, [span({ firstSeen: DAY.start - 10 * H })]);
    assert.equal(row!.rollup.samplesPresent, 24);
    assert.deepEqual(row!.values, {
      avgIsPresent: 1,
      avgVcpuCount: 2,
      avgRamGb: 8,
      avgProvisionedDisk: 100,
      poolTinPct: 0,
      poolBronzePct: 0,
      poolSilverPct: 0,
      poolGoldPct: 100,
      tin: 0,
      bronze: 0,
      silver: 0,
      gold: 1,
    });
    assert.equal(row!.rollup.snapshotTime, at(23));
  });

  it('a VM created at 10:30 is present from the 11:00 sample on: 13 of 24', () => {
    // First captured by the 11:00 snapshot, so its span starts there.
    const [row] = daily(ALL_DAY, [span({ firstSeen: at(11) })]);
    assert.equal(row!.rollup.samplesPresent, 13);
    assert.equal(row!.values.avgIsPresent, 13 / 24);
    assert.equal(row!.values.avgVcpuCount, 26 / 24); // 13 samples x 2 vCPU / 24
    assert.equal(row!.values.avgRamGb, 104 / 24); // 13 x 8 GB / 24
    assert.equal(row!.values.poolGoldPct, 100); // all of the time it existed
    assert.equal(row!.values.gold, 13 / 24);
  });

  it('a VM deleted at 15:00 is missing from the 15:00 sample: 15 of 24', () => {
    // Seen last by the 14:00 snapshot (00:00 through 14:00 is 15 samples).
    const [row] = daily(ALL_DAY, [span({ firstSeen: DAY.start - H, lastSeen: at(14) })]);
    assert.equal(row!.rollup.samplesPresent, 15);
    assert.equal(row!.values.avgIsPresent, 15 / 24);
    assert.equal(row!.values.avgProvisionedDisk, 1500 / 24); // 15 x 100 GB / 24
    assert.equal(row!.rollup.snapshotTime, at(14));
  });

  it('a VM resized from 2 to 4 vCPU at noon averages 3', () => {
    const rows = daily(ALL_DAY, [span({ firstSeen: DAY.start - H, lastSeen: at(11) }), span({ firstSeen: at(12), vcpuCount: 4, ramGb: 16 })]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.values.avgVcpuCount, 3); // (12 x 2 + 12 x 4) / 24
    assert.equal(rows[0]!.values.avgRamGb, 12); // (12 x 8 + 12 x 16) / 24
    assert.equal(rows[0]!.rollup.latest.vcpuCount, 4); // the latest sample's size is kept
  });

  it('a VM moved from Silver to Gold at 18:00 is 75% Silver and 25% Gold', () => {
    const [row] = daily(ALL_DAY, [span({ tier: 'silver', firstSeen: DAY.start - H, lastSeen: at(17) }), span({ tier: 'gold', firstSeen: at(18) })]);
    assert.equal(row!.rollup.silverHits, 18);
    assert.equal(row!.rollup.goldHits, 6);
    assert.equal(row!.values.poolSilverPct, 75);
    assert.equal(row!.values.poolGoldPct, 25);
    assert.equal(row!.values.silver, 0.75);
    assert.equal(row!.values.gold, 0.25);
    assert.equal(row!.rollup.latest.tier, 'gold');
  });

  it('a VM present in no sample of the day has no row', () => {
    // Seen last at 23:00 the day before; deleted before today's first snapshot.
    assert.deepEqual(daily(ALL_DAY, [span({ firstSeen: DAY.start - 5 * H, lastSeen: DAY.start - H })]), []);
  });

  it('a vCenter with no sample in the day yields no rows and zero averages', () => {
    assert.deepEqual(daily([], [span({ firstSeen: DAY.start - H })]), []);
    assert.equal(summaryValues(emptySums(), 0).avgIsPresent, 0);
  });

  it('a day with 3 missed snapshots: 21 of 24 expected, averages over the 21 taken', () => {
    const samples = ALL_DAY.filter((t) => ![at(3), at(4), at(17)].includes(t));
    const [row] = daily(samples, [span({ firstSeen: DAY.start - H })]);
    assert.equal(expectedSamples(DAY, 3600), 24);
    assert.equal(samples.length, 21);
    assert.equal(row!.rollup.samplesPresent, 21);
    assert.equal(row!.values.avgIsPresent, 1);
    assert.equal(row!.values.avgVcpuCount, 2);
  });

  it('a VM across midnight counts in each day only the samples of that day', () => {
    const previous = dayPeriod('2026-04-20');
    const vm = span({ firstSeen: previous.start + 20 * H, lastSeen: at(3) });
    const [first] = daily(hourly(previous.start, [...Array(24).keys()]), [vm]);
    const [second] = daily(ALL_DAY, [vm]);
    assert.equal(first!.rollup.samplesPresent, 4); // 20:00 to 23:00
    assert.equal(second!.rollup.samplesPresent, 4); // 00:00 to 03:00
    assert.equal(first!.values.avgIsPresent, 4 / 24);
  });

  it('sums RAM and disk as integers, so 0.29 GB-style values add up exactly', () => {
    const [row] = daily(ALL_DAY, [span({ firstSeen: DAY.start - H, provisionedDiskGb: 0.29, ramGb: 0.5 })]);
    assert.equal(row!.rollup.sumDiskCentiGb, 29 * 24);
    assert.equal(row!.rollup.sumRamMb, 512 * 24);
    assert.equal(row!.values.avgProvisionedDisk, 0.29);
  });
});

describe('monthly golden cases', () => {
  const MONTH = monthPeriod('2026-03'); // 31 days
  const monthSamples = daysOf(MONTH).flatMap((d) => hourly(d.start, [...Array(24).keys()]));

  it('a VM that existed 10 days of 31 in Tin: PoolTinPct 100, AvgIsPresent and Tin 10/31', () => {
    const vm = span({ tier: 'tin', firstSeen: dayPeriod('2026-03-05').start, lastSeen: dayPeriod('2026-03-14').start + 23 * H });
    const [row] = [...rollupSpans(monthSamples, [vm]).values()];
    const values = summaryValues(row!, monthSamples.length);
    assert.equal(monthSamples.length, 744);
    assert.equal(row!.samplesPresent, 240);
    assert.equal(values.poolTinPct, 100); // presence-relative (README "Aggregation"), not 10/31 x 100
    assert.equal(values.avgIsPresent, 240 / 744); // 10/31
    assert.equal(values.tin, 240 / 744);
    assert.ok(Math.abs(values.tin - 10 / 31) < 1e-15);
  });

  it('equals the spec\'s day-weighted combination of daily summaries, exactly', () => {
    const spans = [
      span({ lifecycleId: 1, tier: 'silver', firstSeen: dayPeriod('2026-03-02').start + 5 * H, lastSeen: dayPeriod('2026-03-20').start + 17 * H, ramGb: 0.75, provisionedDiskGb: 12.34 }),
      span({ lifecycleId: 1, tier: 'gold', firstSeen: dayPeriod('2026-03-20').start + 18 * H, vcpuCount: 3, provisionedDiskGb: 50.01 }),
      span({ lifecycleId: 2, tier: null, firstSeen: 0, lastSeen: dayPeriod('2026-03-09').start + 2 * H }),
    ];
    // A month with gaps: every day misses its 05:00 snapshot.
    const samples = monthSamples.filter((t) => (t / H) % 24 !== 5);
    const fromSpans = rollupSpans(samples, spans);
    const fromDays = new Map<number, ReturnType<typeof emptySums>>();
    let monthTotal = 0;
    for (const day of daysOf(MONTH)) {
      const daySamples = samples.filter((t) => t >= day.start && t < day.end);
      monthTotal += daySamples.length;
      for (const r of rollupSpans(daySamples, spans).values()) {
        const acc = fromDays.get(r.lifecycleId) ?? emptySums();
        addSums(acc, r);
        fromDays.set(r.lifecycleId, acc);
        // The spec's weighting, daily_avg x daily_total, is the day's sum, but in floating point
        // only up to rounding (26/24 x 24 = 25.999...): hence the stored integer sums.
        assert.equal(Math.round(summaryValues(r, daySamples.length).avgVcpuCount * daySamples.length), r.sumVcpu);
      }
    }
    assert.equal(monthTotal, samples.length);
    for (const [id, sums] of fromDays) {
      const direct = fromSpans.get(id)!;
      const { lifecycleId: _l, snapshotTime: _s, latest: _x, cost: _c, ...directSums } = direct;
      assert.deepEqual(sums, directSums);
      assert.deepEqual(summaryValues(sums, monthTotal), summaryValues(direct, samples.length));
    }
  });
});

describe('cost in the rollup', () => {
  const MONTH = monthPeriod('2026-03'); // 31 days, 744 hourly samples
  const monthSamples = daysOf(MONTH).flatMap((d) => hourly(d.start, [...Array(24).keys()]));
  const card = (validFrom: string, per: 'month' | 'hour', gold: number, silver: number): RateCardSetting => ({
    valid_from: validFrom,
    currency: 'EUR',
    per,
    tiers: { gold: { vcpu: gold, ram_gb: 1, disk_gb: 0.01, vm: 2 }, silver: { vcpu: silver, ram_gb: 0.5, disk_gb: 0, vm: 1 } },
    templates: 3,
    srm_placeholders: 0.5,
    node_charged: 7,
  });
  const cards = rateCardsFromSettings([card('2026-01-01', 'month', 20, 10), card('2026-03-11', 'hour', 0.05, 0.02)]);
  const segments = pricingSegments(cards, MONTH.start, MONTH.end);

  it('prices each sample by the card of its day and the tier of its span', () => {
    // Gold, 2 vCPU, 4 GiB, 10 GiB from March 1 to March 20 18:00 (the month card for the 240 samples
    // of March 1-10, the hourly card for the 9 x 24 + 19 = 235 samples of March 11-20), then
    // silver, 4 vCPU, 2 GiB, 0 disk, for the month's last 744 - 475 = 269 samples (hourly card).
    const vm = [
      span({ tier: 'gold', firstSeen: MONTH.start - H, lastSeen: dayPeriod('2026-03-20').start + 18 * H, vcpuCount: 2, ramGb: 4, provisionedDiskGb: 10 }),
      span({ tier: 'silver', firstSeen: dayPeriod('2026-03-20').start + 19 * H, vcpuCount: 4, ramGb: 2, provisionedDiskGb: 0, attributesId: 9 }),
    ];
    const [row] = [...rollupSpans(monthSamples, vm, segments).values()];
    assert.equal(row!.samplesPresent, 744);
    assert.equal(row!.latest.attributesId, 9);
    const hours = 24 * 31; // the hourly card's month scale
    assert.deepEqual(row!.cost, {
      // micro-currency x vCPUs x samples (x hours of the month for the hourly card)
      vcpu: 20e6 * 2 * 240 + 0.05e6 * hours * 2 * 235 + 0.02e6 * hours * 4 * 269,
      // per GiB x MiB: 1 x 4096 MiB, then 1 x 4096, then 0.5 x 2048
      ram: 1e6 * 4096 * 240 + 1e6 * hours * 4096 * 235 + 0.5e6 * hours * 2048 * 269,
      disk: 0.01e6 * 1000 * 240 + 0.01e6 * hours * 1000 * 235,
      vm: 2e6 * 240 + 2e6 * hours * 235 + 1e6 * hours * 269,
      template: 3e6 * 240 + 3e6 * hours * 504,
      srm: 0.5e6 * 240 + 0.5e6 * hours * 504,
      node: 7e6 * 240 + 7e6 * hours * 504,
    });
    // Money of the month: the month card for 240 of 744 samples plus the hourly card's hours.
    const money = moneyOf(chargedUnits(row!.cost, 'chargeable'), 744, 1);
    assert.equal(money.vcpu, row!.cost.vcpu / (1e6 * 744));
    assert.ok(Math.abs(money.vcpu - ((20 * 2 * 240) / 744 + 0.05 * 2 * 235 + 0.02 * 4 * 269)) < 1e-9);
    assert.equal(moneyOf(chargedUnits(row!.cost, 'template'), 744, 1).total, row!.cost.template / (1e6 * 744));
  });

  it('costs nothing without cards, and nothing before the first card', () => {
    const vm = span({ firstSeen: MONTH.start });
    assert.deepEqual([...rollupSpans(monthSamples, [vm]).values()][0]!.cost, emptyCostUnits());
    const late = rateCardsFromSettings([card('2026-03-31', 'month', 31, 0)]);
    const [row] = [...rollupSpans(monthSamples, [vm], pricingSegments(late, MONTH.start, MONTH.end)).values()];
    // Only the 24 samples of March 31: 2 vCPU x 31 x 24.
    assert.equal(row!.cost.vcpu, 31e6 * 2 * 24);
  });

  it('daily cost units add up to the month\'s, exactly', () => {
    const spans = [
      span({ lifecycleId: 1, tier: 'silver', firstSeen: dayPeriod('2026-03-02').start + 5 * H, lastSeen: dayPeriod('2026-03-20').start + 17 * H, ramGb: 0.75, provisionedDiskGb: 12.34 }),
      span({ lifecycleId: 1, tier: 'gold', firstSeen: dayPeriod('2026-03-20').start + 18 * H, vcpuCount: 3, provisionedDiskGb: 50.01 }),
      span({ lifecycleId: 2, tier: null, firstSeen: 0, lastSeen: dayPeriod('2026-03-09').start + 2 * H }),
    ];
    const samples = monthSamples.filter((t) => (t / H) % 24 !== 5);
    const fromSpans = rollupSpans(samples, spans, segments);
    const fromDays = new Map<number, ReturnType<typeof emptyCostedSums>>();
    for (const day of daysOf(MONTH)) {
      const daySamples = samples.filter((t) => t >= day.start && t < day.end);
      for (const r of rollupSpans(daySamples, spans, pricingSegments(cards, day.start, day.end)).values()) {
        const acc = fromDays.get(r.lifecycleId) ?? emptyCostedSums();
        addCostedSums(acc, r);
        fromDays.set(r.lifecycleId, acc);
      }
    }
    assert.equal(fromDays.size, 2);
    for (const [id, sums] of fromDays) {
      const { lifecycleId: _l, snapshotTime: _s, latest: _x, ...direct } = fromSpans.get(id)!;
      assert.deepEqual(sums, direct);
      // VM 2 is untiered, priced by no tier of the cards; both pay the flat prices.
      assert.equal(sums.cost.vcpu > 0, id === 1);
      assert.equal(sums.cost.node > 0, true);
    }
  });
});
