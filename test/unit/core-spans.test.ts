import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CapturedVm, diffSpans, type OpenSpan } from '../../src/core/span-diff.js';
import { type SpanState, spanStateOf } from '../../src/core/span-state.js';
import { tierResolver } from '../../src/core/tiers.js';
import { vm as buildVm } from '../helpers/builders.js';
import { snapshotTotals } from '../../src/core/totals.js';

const state = (over: Partial<SpanState> = {}): SpanState => ({
  name: 'vm',
  identity: { vmUuid: 'u', instanceUuid: 'i', eventKey: null, cloudId: null },
  placement: { resourcePool: 'Gold', tier: 'gold', datacenter: 'DC0', cluster: 'C0', folder: '/DC0/vm' },
  provisionedDiskGb: 10,
  vcpuCount: 2,
  ramGb: 4,
  isTemplate: false,
  poweredOn: true,
  srmPlaceholder: false,
  attributes: '{}',
  ...over,
});
const open = (vmId: string, s: SpanState): OpenSpan => ({ spanId: 1, lifecycleId: 1, vmId, identityId: 1, placementId: 1, attributesId: 0, state: s });
const vm = (vmId: string, s: SpanState): CapturedVm => ({ vmId, state: s, creationTime: 0 });

describe('span diff', () => {
  it('sorts VMs into unchanged, changed, added and removed', () => {
    const before = new Map([
      ['vm-1', open('vm-1', state())],
      ['vm-2', open('vm-2', state())],
      ['vm-3', open('vm-3', state())],
    ]);
    const diff = diffSpans(before, [
      vm('vm-1', state()),
      vm('vm-2', state({ vcpuCount: 4 })),
      vm('vm-4', state()),
    ]);
    assert.deepEqual(diff.unchanged.map((v) => v.vmId), ['vm-1']);
    assert.deepEqual(diff.changed.map((c) => c.vm.vmId), ['vm-2']);
    assert.deepEqual(diff.added.map((v) => v.vmId), ['vm-4']);
    assert.deepEqual(diff.removed.map((s) => s.vmId), ['vm-3']);
  });
  it('treats a change of any tracked field, including identity and placement, as a change', () => {
    const before = new Map([['vm-1', open('vm-1', state())]]);
    for (const changed of [
      state({ name: 'x' }),
      state({ poweredOn: false }),
      state({ identity: { vmUuid: 'u2', instanceUuid: 'i', eventKey: null, cloudId: null } }),
      state({ placement: { resourcePool: 'Gold', tier: 'gold', datacenter: 'DC0', cluster: 'C0', folder: '/DC0/vm/x' } }),
      state({ attributes: '{"custom_attribute:Tenant":"acme"}' }),
    ]) {
      assert.equal(diffSpans(before, [vm('vm-1', changed)]).changed.length, 1);
    }
  });
  it('keeps the span when custom attributes and tags are read again unchanged, and opens one when one changes', () => {
    const record = (customAttributes: Map<string, string> | null, tags: Map<string, string[]> | null) => buildVm('vm-1', { customAttributes, tags });
    const tiers = tierResolver();
    const first = spanStateOf(record(new Map([['Tenant', 'acme']]), new Map([['Env', ['prod', 'dr']]])), tiers);
    const before = new Map([['vm-1', open('vm-1', first)]]);
    // The same values, tags in another order: unchanged.
    const again = spanStateOf(record(new Map([['Tenant', 'acme']]), new Map([['Env', ['dr', 'prod']]])), tiers, first.attributes);
    assert.equal(diffSpans(before, [vm('vm-1', again)]).unchanged.length, 1);
    // The tagging endpoint failed (tags null): the previous tags carry forward, nothing changes.
    const blinked = spanStateOf(record(new Map([['Tenant', 'acme']]), null), tiers, first.attributes);
    assert.equal(blinked.attributes, first.attributes);
    assert.equal(diffSpans(before, [vm('vm-1', blinked)]).unchanged.length, 1);
    // One value changes: a new span, whose set says so.
    const moved = spanStateOf(record(new Map([['Tenant', 'globex']]), null), tiers, first.attributes);
    const diff = diffSpans(before, [vm('vm-1', moved)]);
    assert.equal(diff.changed.length, 1);
    assert.equal(diff.changed[0]!.vm.state.attributes, '{"custom_attribute:Tenant":"globex","tag:Env":"dr, prod"}');
    // An attribute cleared (empty) is no attribute.
    const cleared = spanStateOf(record(new Map([['Tenant', '']]), new Map()), tiers, first.attributes);
    assert.equal(cleared.attributes, '{}');
  });
  it('refuses an inventory that lists a VM twice', () => {
    assert.throws(() => diffSpans(new Map(), [vm('vm-1', state()), vm('vm-1', state())]), /twice/);
  });
});

describe('snapshot totals', () => {
  it('sum sizes and tiers over chargeable VMs and count the rest apart', () => {
    const totals = snapshotTotals([
      { state: state(), chargeClass: 'chargeable' },
      { state: state({ placement: { ...state().placement, tier: null }, poweredOn: false }), chargeClass: 'chargeable' },
      { state: state({ isTemplate: true }), chargeClass: 'template' },
      { state: state({ srmPlaceholder: true }), chargeClass: 'srm_placeholder' },
      { state: state(), chargeClass: 'node_charge' },
    ]);
    assert.equal(totals.vmCount, 5);
    assert.equal(totals.poweredOnCount, 4);
    assert.equal(totals.chargeableVmCount, 2);
    assert.equal(totals.vcpuTotal, 4);
    assert.equal(totals.ramGbTotal, 8);
    assert.equal(totals.diskGbTotal, 20);
    assert.equal(totals.goldVmCount, 1);
    assert.equal(totals.untieredVmCount, 1);
    assert.equal(totals.templateCount, 1);
    assert.equal(totals.srmPlaceholderCount, 1);
    assert.equal(totals.nodeChargeVmCount, 1);
  });
});
