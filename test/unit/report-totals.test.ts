// The Totals sheet's arithmetic: tier splits, the groups counted apart, and chargeable totals that
// equal vcenter_aggregate_totals (src/core/period-totals.ts) to the last bit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCostUnits } from '../../src/core/cost.js';
import { emptySums, type SampleSums } from '../../src/core/period-rollup.js';
import { periodTotals } from '../../src/core/period-totals.js';
import { dayIntervalLabel, hourIntervalLabel } from '../../src/core/report-intervals.js';
import { addContribution, breakdownTotals, type Contribution, emptyBreakdown } from '../../src/core/report-totals.js';
import { dayPeriod } from '../../src/core/periods.js';

const sums = (over: Partial<SampleSums>): SampleSums => ({ ...emptySums(), ...over });

describe('report totals', () => {
  it('splits a VM moved between tiers by its hits, sizes and cost by the same share', () => {
    // 24 samples: 18 Silver, 6 Gold; 2 vCPU for 12 samples then 4 for 12 (sum 72); 8 GB (8192 MiB) throughout.
    const b = emptyBreakdown();
    const money = { vcpu: 40, ram: 8, disk: 4, vm: 2, total: 54 };
    addContribution(b, { chargeClass: 'chargeable', money, ...sums({ samplesPresent: 24, sumVcpu: 72, sumRamMb: 24 * 8192, sumDiskCentiGb: 24 * 10000, silverHits: 18, goldHits: 6 }) });
    const t = breakdownTotals(b, 24);
    // 3 avg vCPU x 0.75; the VM's cost split by the same share.
    assert.deepEqual(t.silver, { vmCount: 1, proratedVmCount: 0.75, vcpu: 2.25, ramGb: 6, diskGb: 75, cost: { vcpu: 30, ram: 6, disk: 3, vm: 1.5, total: 40.5 } });
    assert.deepEqual(t.gold, { vmCount: 1, proratedVmCount: 0.25, vcpu: 0.75, ramGb: 2, diskGb: 25, cost: { vcpu: 10, ram: 2, disk: 1, vm: 0.5, total: 13.5 } });
    assert.deepEqual(t.chargeable, { vmCount: 1, proratedVmCount: 1, vcpu: 3, ramGb: 8, diskGb: 100, cost: money });
    assert.deepEqual(t.all.cost, money);
    assert.equal(t.untiered.vmCount, 0);
  });

  it('keeps templates, SRM placeholders/standbys and node-charged VMs out of the tiers', () => {
    const b = emptyBreakdown();
    const vm = (chargeClass: Contribution['chargeClass']): Contribution => ({ chargeClass, ...sums({ samplesPresent: 12, sumVcpu: 24, goldHits: 12 }) });
    for (const c of ['template', 'srm_placeholder', 'srm_standby', 'node_charge', 'chargeable'] as const) addContribution(b, vm(c));
    const t = breakdownTotals(b, 24);
    assert.equal(t.gold.vmCount, 1);
    assert.equal(t.template.vmCount, 1);
    assert.equal(t.srm.vmCount, 2);
    assert.equal(t.node_charge.proratedVmCount, 0.5);
    assert.equal(t.all.vmCount, 5);
    assert.equal(t.all.vcpu, 5);
  });

  it('chargeable totals equal periodTotals exactly (the same integer sums, divided once)', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      chargeClass: (i % 7 === 0 ? 'template' : i % 11 === 0 ? 'node_charge' : 'chargeable') as Contribution['chargeClass'],
      sums: sums({
        samplesPresent: 1 + (i % 23),
        sumVcpu: (1 + (i % 23)) * (1 + (i % 5)),
        sumRamMb: (1 + (i % 23)) * 1536,
        sumDiskCentiGb: (1 + (i % 23)) * (1234 + i),
        tinHits: i % 3 === 0 ? 1 + (i % 23) : 0,
        goldHits: i % 3 === 1 ? 1 + (i % 23) : 0,
      }),
    }));
    const b = emptyBreakdown();
    for (const r of rows) addContribution(b, { chargeClass: r.chargeClass, ...r.sums });
    const mine = breakdownTotals(b, 23);
    const theirs = periodTotals(rows.map((r) => ({ sums: r.sums, cost: emptyCostUnits(), chargeClass: r.chargeClass, poweredOn: true })), 23, 1);
    assert.equal(mine.chargeable.proratedVmCount, theirs.chargeableVmCount);
    assert.equal(mine.chargeable.vcpu, theirs.vcpuTotal);
    assert.equal(mine.chargeable.ramGb, theirs.ramGbTotal);
    assert.equal(mine.chargeable.diskGb, theirs.diskGbTotal);
    assert.equal(mine.tin.proratedVmCount, theirs.tinVmCount);
    assert.equal(mine.gold.proratedVmCount, theirs.goldVmCount);
    assert.equal(mine.untiered.proratedVmCount, theirs.untieredVmCount);
    assert.equal(mine.template.vmCount, theirs.templateCount);
    assert.equal(mine.node_charge.vmCount, theirs.nodeChargeVmCount);
  });

  it('labels a day as people write it (issue 10: inclusive days) and an hour by its start and end', () => {
    const day = dayPeriod('2026-04-30');
    assert.equal(dayIntervalLabel(day.start), '2026-04-30');
    assert.equal(hourIntervalLabel(day.start), '00:00 to 01:00');
    assert.equal(hourIntervalLabel(day.start + 23 * 3600), '23:00 to 24:00');
  });
});
