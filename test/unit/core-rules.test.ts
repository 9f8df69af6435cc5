import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chargeRules } from '../../src/core/charge-rules.js';
import { anyGlob, globToRegExp } from '../../src/core/glob.js';
import { tierResolver } from '../../src/core/tiers.js';

describe('glob patterns', () => {
  it('match whole names, case-insensitively, with * ? and classes', () => {
    assert.ok(globToRegExp('tenant-*').test('TENANT-acme'));
    assert.ok(!globToRegExp('tenant-*').test('my-tenant-acme'));
    assert.ok(globToRegExp('vm-??').test('vm-01'));
    assert.ok(!globToRegExp('vm-??').test('vm-001'));
    assert.ok(globToRegExp('db[0-9]').test('DB7'));
    assert.ok(globToRegExp('a.b+(c)').test('a.b+(c)'));
    assert.ok(!globToRegExp('a.b').test('axb'));
  });
  it('an empty pattern list matches nothing, not even empty names', () => {
    assert.equal(anyGlob([])('x'), false);
    assert.equal(anyGlob(['*'])(null), false);
  });
});

describe('tiers', () => {
  const tierOf = tierResolver({ tin: ['Tin'], bronze: ['Bronze'], silver: ['Silver', 'silver-*'], gold: ['Gold'] });
  it('match pool names case-insensitively', () => {
    assert.equal(tierOf(['gold']), 'gold');
    assert.equal(tierOf(['SILVER-db']), 'silver');
    assert.equal(tierOf(['Resources']), null);
    assert.equal(tierOf([]), null);
  });
  it('let the nearest matching pool of the chain decide', () => {
    assert.equal(tierOf(['App', 'Gold']), 'gold');
    assert.equal(tierOf(['Tin', 'Gold']), 'tin');
  });
});

describe('charge rules', () => {
  const rules = chargeRules({ tenants_to_filter: ['acme*'], node_charge_clusters: ['hpc-*'], srm_activeactive_vms: ['aa-*'] });
  const vm = { name: 'web', cluster: 'C0', isTemplate: false, poweredOn: true, srmPlaceholder: false };
  it('filter tenants by resource pool chain or folder segment', () => {
    assert.ok(rules.isTenantFiltered({ resourcePoolChain: ['App', 'ACME-prod'], folder: '/DC0/vm' }));
    assert.ok(rules.isTenantFiltered({ resourcePoolChain: [], folder: '/DC0/vm/acme/web' }));
    assert.ok(!rules.isTenantFiltered({ resourcePoolChain: ['Gold'], folder: '/DC0/vm/notacme' }));
  });
  it('classify templates, placeholders, node-charged and active/active VMs', () => {
    assert.equal(rules.classify(vm), 'chargeable');
    assert.equal(rules.classify({ ...vm, isTemplate: true, srmPlaceholder: true }), 'template');
    assert.equal(rules.classify({ ...vm, srmPlaceholder: true }), 'srm_placeholder');
    assert.equal(rules.classify({ ...vm, cluster: 'HPC-1' }), 'node_charge');
    assert.equal(rules.classify({ ...vm, name: 'aa-db', srmPlaceholder: true }), 'chargeable');
    assert.equal(rules.classify({ ...vm, name: 'aa-db', poweredOn: false }), 'srm_standby');
  });
});
