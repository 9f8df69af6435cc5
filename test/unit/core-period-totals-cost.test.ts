// Period totals' cost (src/core/period-totals.ts): the rows' class-resolved units added up exactly,
// also past 2^53 (a vCenter's month), then divided once: the same value in any row order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChargeClass } from '../../src/core/charge-rules.js';
import { emptyCostUnits, moneyOf } from '../../src/core/cost.js';
import { ExactSum } from '../../src/core/exact-sum.js';
import { emptySums } from '../../src/core/period-rollup.js';
import { periodTotals, type PeriodTotalsInput } from '../../src/core/period-totals.js';

const MAX = Number.MAX_SAFE_INTEGER;

describe('ExactSum', () => {
  it('adds safe integers exactly past 2^53 and rounds once', () => {
    const sum = new ExactSum();
    sum.add(MAX);
    sum.add(MAX);
    sum.add(3);
    // 2 x (2^53 - 1) + 3 = 2^54 + 1, whose nearest double is 2^54.
    assert.equal(sum.toNumber(), 2 ** 54);
    const small = new ExactSum();
    small.add(5);
    small.add(7);
    assert.equal(small.toNumber(), 12);
    small.addBig(2n ** 60n);
    assert.equal(small.toNumber(), Number(2n ** 60n + 12n));
  });
});

describe('period totals cost', () => {
  const row = (chargeClass: ChargeClass, vcpu: number, vm: number, template: number): PeriodTotalsInput => ({
    sums: emptySums(),
    cost: { ...emptyCostUnits(), vcpu, ram: vcpu, disk: vcpu, vm, template, srm: 11, node: 13 },
    chargeClass,
    poweredOn: true,
  });

  it('charges each row by its class, sums the units, divides once', () => {
    const rows = [row('chargeable', 744e6, 2e6, 5), row('template', 1e9, 1e9, 3e6), row('node_charge', 1e9, 1e9, 7), row('srm_standby', 1, 1, 1)];
    const t = periodTotals(rows, 744, 1);
    // chargeable: vcpu 744e6, vm 2e6; template: vm 3e6; node: vm 13; standby: vm 11.
    assert.deepEqual(t.cost, moneyOf({ vcpu: 744e6, ram: 744e6, disk: 744e6, vm: 2e6 + 3e6 + 13 + 11 }, 744, 1));
    assert.equal(t.cost.vcpu, 1);
  });

  it('is exact and order independent when the vCenter\'s units pass 2^53', () => {
    // 40 VMs of 2^53 / 8 + i units: their sum passes 2^53 by far; a float sum would depend on the order.
    const rows = Array.from({ length: 40 }, (_, i) => row('chargeable', Math.floor(MAX / 8) + i * 977, 3, 0));
    const exact = rows.reduce((s, r) => s + BigInt(r.cost.vcpu), 0n);
    const forward = periodTotals(rows, 744, 31);
    const backward = periodTotals([...rows].reverse(), 744, 31);
    assert.deepEqual(forward.cost, backward.cost);
    assert.equal(forward.cost.vcpu, Number(exact) / (1e6 * 744 * 31));
  });
});
