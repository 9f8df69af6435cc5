// The cost arithmetic of src/core/cost.ts and rate-cards.ts, checked by hand: prices in millionths,
// the card and month pieces of a period, and the one division per money value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addSampleCost, chargedUnits, emptyCostUnits, moneyOf, windowMoney } from '../../src/core/cost.js';
import { cardAt, pricingSegments, rateCardsFromSettings, type RateCardSetting } from '../../src/core/rate-cards.js';

const day = (text: string) => Date.parse(`${text}T00:00:00Z`) / 1000;

const SETTINGS: RateCardSetting[] = [
  {
    valid_from: '2026-01-01',
    currency: 'EUR',
    per: 'month',
    tiers: { gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 }, silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08, vm: 0 } },
    templates: 1.5,
    srm_placeholders: 0,
    node_charged: 0,
  },
  { valid_from: '2026-10-16', currency: 'EUR', per: 'hour', tiers: { gold: { vcpu: 0.03, ram_gb: 0, disk_gb: 0, vm: 0 } }, templates: 0, srm_placeholders: 0, node_charged: 0 },
];
const cards = rateCardsFromSettings(SETTINGS);

describe('rate cards', () => {
  it('keeps prices as integer millionths', () => {
    assert.deepEqual(cards[0]!.tiers.gold, { vcpu: 20_000_000, ramGb: 5_000_000, diskGb: 100_000, vm: 2_000_000 });
    assert.deepEqual(cards[0]!.tiers.none, { vcpu: 0, ramGb: 0, diskGb: 0, vm: 0 });
    assert.equal(cards[0]!.template, 1_500_000);
  });

  it('finds the card valid at a time', () => {
    assert.equal(cardAt(cards, day('2025-12-31')), undefined);
    assert.equal(cardAt(cards, day('2026-10-15') + 86_399)?.index, 0);
    assert.equal(cardAt(cards, day('2026-10-16'))?.index, 1);
  });

  it('cuts a window at card changes and month ends, with each piece\'s month scale', () => {
    const pieces = pricingSegments(cards, day('2026-10-10'), day('2026-11-03'));
    assert.deepEqual(
      pieces.map((p) => [new Date(p.start * 1000).toISOString().slice(0, 10), p.card?.index, p.scale, p.monthDays]),
      [
        ['2026-10-10', 0, 1, 31],
        ['2026-10-16', 1, 24 * 31, 31],
        ['2026-11-01', 1, 24 * 30, 30],
      ],
    );
  });
});

describe('cost', () => {
  it('charges a gold VM present in every sample of a month exactly its card price', () => {
    const units = emptyCostUnits();
    // 2 vCPU, 4 GiB, 50 GiB all month of 744 samples.
    addSampleCost(units, cards[0], 1, 'gold', 744, { vcpuCount: 2, ramMb: 4096, diskCentiGb: 5000 });
    const money = moneyOf(chargedUnits(units, 'chargeable'), 744, 1);
    assert.deepEqual(money, { vcpu: 40, ram: 20, disk: 5, vm: 2, total: 67 });
    // Present half the samples: half the cost.
    const half = emptyCostUnits();
    addSampleCost(half, cards[0], 1, 'gold', 372, { vcpuCount: 2, ramMb: 4096, diskCentiGb: 5000 });
    assert.equal(moneyOf(chargedUnits(half, 'chargeable'), 744, 1).total, 33.5);
  });

  it('prices a day as 1/days-in-month of the month, and a template at its flat price only', () => {
    const units = emptyCostUnits();
    addSampleCost(units, cards[0], 1, 'gold', 24, { vcpuCount: 2, ramMb: 4096, diskCentiGb: 5000 });
    assert.equal(moneyOf(chargedUnits(units, 'chargeable'), 24, 31).total, 67 / 31);
    assert.deepEqual(moneyOf(chargedUnits(units, 'template'), 24, 31), { vcpu: 0, ram: 0, disk: 0, vm: 1.5 / 31, total: 1.5 / 31 });
  });

  it('prices per hour: 24 x days-in-month hours a month', () => {
    const units = emptyCostUnits();
    addSampleCost(units, cards[1], 24 * 31, 'gold', 24, { vcpuCount: 2, ramMb: 0, diskCentiGb: 0 });
    // One October day at 0.03 per vCPU-hour, 2 vCPU: 1.44.
    assert.equal(moneyOf(chargedUnits(units, 'chargeable'), 24, 31).vcpu, 1.44);
  });

  it('gives a one-day window the daily figure', () => {
    const units = emptyCostUnits();
    addSampleCost(units, cards[0], 1, 'silver', 20, { vcpuCount: 3, ramMb: 3000, diskCentiGb: 1234 });
    const charged = chargedUnits(units, 'chargeable');
    assert.deepEqual(windowMoney([{ charged, monthDays: 31 }], 24, 1), moneyOf(charged, 24, 31));
  });
});
