// VM facts from one ObjectContent, and placement from the entity tree: the decisions documented
// in placement-resolver.ts and vm-properties.ts, one case each.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlacementResolver, type EntityNode } from '../../src/vcenter/placement-resolver.js';
import type { ObjectContent } from '../../src/vcenter/property-collector.js';
import { parseVimXml } from '../../src/vcenter/sax-value-parser.js';
import { cloudIdOf, CLOUD_UUID_PATH, decodeEntityName, vmFacts } from '../../src/vcenter/vm-properties.js';
import { MoRef, type VimValue } from '../../src/vcenter/vim-values.js';

function node(type: string, name: string, parent: string | null): EntityNode {
  return { type, name, parent };
}

// root
// └─ Region (folder)
//    └─ DC1
//       ├─ vm (folder) ─ Team%2fA (folder)
//       └─ host (folder)
//          ├─ C1 (cluster) ─ host-1
//          │  └─ Resources (root pool) ─ Gold ─ App
//          │                           └─ vApp1 (VirtualApp)
//          └─ esx-2 (ComputeResource: standalone host) ─ host-2
//             └─ Resources (root pool)
const tree = new Map<string, EntityNode>([
  ['group-d1', node('Folder', 'Datacenters', null)],
  ['group-r', node('Folder', 'Region', 'group-d1')],
  ['dc-1', node('Datacenter', 'DC1', 'group-r')],
  ['group-v1', node('Folder', 'vm', 'dc-1')],
  ['group-v2', node('Folder', 'Team%2fA', 'group-v1')],
  ['group-h1', node('Folder', 'host', 'dc-1')],
  ['domain-c1', node('ClusterComputeResource', 'C1', 'group-h1')],
  ['host-1', node('HostSystem', 'esx-1', 'domain-c1')],
  ['resgroup-1', node('ResourcePool', 'Resources', 'domain-c1')],
  ['resgroup-2', node('ResourcePool', 'Gold', 'resgroup-1')],
  ['resgroup-3', node('ResourcePool', 'App', 'resgroup-2')],
  ['resgroup-v1', node('VirtualApp', 'vApp1', 'resgroup-1')],
  ['domain-s2', node('ComputeResource', 'esx-2', 'group-h1')],
  ['host-2', node('HostSystem', 'esx-2', 'domain-s2')],
  ['resgroup-4', node('ResourcePool', 'Resources', 'domain-s2')],
]);
const resolver = new PlacementResolver(tree);
const refs = { parent: null, parentVApp: null, resourcePool: null, host: null };

describe('PlacementResolver', () => {
  it('lists pools nearest first without the root pool, and takes the cluster above them', () => {
    assert.deepEqual(resolver.resolve({ ...refs, parent: 'group-v2', resourcePool: 'resgroup-3', host: 'host-1' }), {
      datacenter: 'DC1',
      cluster: 'C1',
      resourcePool: 'App',
      resourcePoolChain: ['App', 'Gold'],
      folder: '/Region/DC1/vm/Team%2fA',
    });
  });

  it('names the root pool "Resources" with an empty chain', () => {
    const p = resolver.resolve({ ...refs, parent: 'group-v1', resourcePool: 'resgroup-1', host: 'host-1' });
    assert.equal(p.resourcePool, 'Resources');
    assert.deepEqual(p.resourcePoolChain, []);
    assert.equal(p.cluster, 'C1');
    assert.equal(p.folder, '/Region/DC1/vm');
  });

  it('gives VMs of a standalone host no cluster', () => {
    const p = resolver.resolve({ ...refs, parent: 'group-v1', resourcePool: 'resgroup-4', host: 'host-2' });
    assert.equal(p.cluster, null);
    assert.equal(p.resourcePool, 'Resources');
    assert.equal(p.datacenter, 'DC1');
  });

  it('places templates (no pool) by their host', () => {
    assert.deepEqual(resolver.resolve({ ...refs, parent: 'group-v2', host: 'host-1' }), {
      datacenter: 'DC1',
      cluster: 'C1',
      resourcePool: null,
      resourcePoolChain: [],
      folder: '/Region/DC1/vm/Team%2fA',
    });
  });

  it('places a vApp member: pool chain through the vApp, no folder, datacenter from the cluster', () => {
    const p = resolver.resolve({ ...refs, parentVApp: 'resgroup-v1', resourcePool: 'resgroup-v1', host: 'host-1' });
    assert.deepEqual(p, { datacenter: 'DC1', cluster: 'C1', resourcePool: 'vApp1', resourcePoolChain: ['vApp1'], folder: null });
  });

  it('returns nulls rather than partial answers when references are unknown', () => {
    assert.deepEqual(resolver.resolve({ ...refs, parent: 'group-gone', resourcePool: 'resgroup-gone' }), {
      datacenter: null,
      cluster: null,
      resourcePool: null,
      resourcePoolChain: [],
      folder: null,
    });
  });
});

function content(props: Record<string, VimValue>, missing: Record<string, string> = {}): ObjectContent {
  return { obj: new MoRef('VirtualMachine', 'vm-7'), props, missing };
}

describe('vmFacts', () => {
  const full = {
    name: 'web%2f01',
    'config.uuid': '4210aaaa-0000-0000-0000-000000000001',
    'config.instanceUuid': '5010bbbb-0000-0000-0000-000000000002',
    'config.hardware.numCPU': 4,
    'config.hardware.memoryMB': 6144,
    'config.template': false,
    'config.createDate': '2024-03-01T12:00:00.5Z',
    'runtime.powerState': 'poweredOn',
    'runtime.host': new MoRef('HostSystem', 'host-1'),
    resourcePool: new MoRef('ResourcePool', 'resgroup-2'),
    parent: new MoRef('Folder', 'group-v2'),
    'summary.storage.committed': 10 * 2 ** 30 + 123,
    'summary.storage.uncommitted': 30 * 2 ** 30,
  };

  it('reads sizes, state, uuids, createDate and references', () => {
    assert.deepEqual(vmFacts(content(full)), {
      vmId: 'vm-7',
      name: 'web/01',
      vmUuid: '4210aaaa-0000-0000-0000-000000000001',
      instanceUuid: '5010bbbb-0000-0000-0000-000000000002',
      cloudId: null,
      vcpuCount: 4,
      ramGb: 6,
      provisionedDiskGb: 40,
      isTemplate: false,
      poweredOn: true,
      srmPlaceholder: false,
      createDate: Date.UTC(2024, 2, 1, 12) / 1000,
      parent: 'group-v2',
      parentVApp: null,
      resourcePool: 'resgroup-2',
      host: 'host-1',
      customValues: null,
    });
  });

  it('reads customValue as (key, value) pairs from the XML as vCenter sends it', () => {
    const xml =
      '<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ArrayOfCustomFieldValue">' +
      '<CustomFieldValue xsi:type="CustomFieldStringValue"><key>101</key><value>acme &amp; co</value></CustomFieldValue>' +
      '<CustomFieldValue xsi:type="CustomFieldStringValue"><key>102</key><value></value></CustomFieldValue>' +
      '</val>';
    const value = parseVimXml(xml);
    assert.deepEqual(vmFacts(content({ ...full, customValue: value ?? null })).customValues, [
      [101, 'acme & co'],
      [102, ''],
    ]);
    const empty = parseVimXml('<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ArrayOfCustomFieldValue"/>');
    assert.equal(vmFacts(content({ ...full, customValue: empty ?? null })).customValues, null);
  });

  it('recognises SRM placeholders by managedBy extension and type only', () => {
    const placeholder = { $type: 'ManagedByInfo', extensionKey: 'com.vmware.vcDr', type: 'placeholderVm' };
    assert.equal(vmFacts(content({ ...full, 'config.managedBy': placeholder })).srmPlaceholder, true);
    const other = { $type: 'ManagedByInfo', extensionKey: 'com.vmware.vcDr', type: 'protectedVm' };
    assert.equal(vmFacts(content({ ...full, 'config.managedBy': other })).srmPlaceholder, false);
  });

  it('copes with a VM whose config is unreadable (missing properties)', () => {
    const facts = vmFacts(content({ name: 'broken', 'runtime.powerState': 'poweredOff' }, { 'config.uuid': 'NotAuthenticated' }));
    assert.equal(facts.vcpuCount, 0);
    assert.equal(facts.ramGb, 0);
    assert.equal(facts.provisionedDiskGb, 0);
    assert.equal(facts.vmUuid, null);
    assert.equal(facts.createDate, null);
    assert.equal(facts.poweredOn, false);
  });

  it('rounds provisioned disk to 0.01 GiB so log growth does not change it', () => {
    const a = vmFacts(content({ ...full, 'summary.storage.committed': 10 * 2 ** 30 + 1000 })).provisionedDiskGb;
    const b = vmFacts(content({ ...full, 'summary.storage.committed': 10 * 2 ** 30 + 900_000 })).provisionedDiskGb;
    assert.equal(a, b);
  });
});

describe('cloud id', () => {
  it('takes cloud.uuid from extraConfig, as OptionValue or text', () => {
    const option = { $type: 'OptionValue', key: 'cloud.uuid', value: 'b0f5b9a8-1f4e-4b8e-9a51-3d7c2c1e9f10' };
    assert.equal(vmFacts(content({ name: 'x', [CLOUD_UUID_PATH]: option })).cloudId, 'b0f5b9a8-1f4e-4b8e-9a51-3d7c2c1e9f10');
    assert.equal(cloudIdOf('abc', null, 'x'), 'abc');
  });

  it('falls back to the pre-9.5 vCD name suffix only for VMs managed by vCloud', () => {
    const name = 'web01 (1c7f7e9a-3b1d-4c55-9e0b-5a2b3c4d5e6f)';
    assert.equal(cloudIdOf(undefined, 'com.vmware.vcloud', name), '1c7f7e9a-3b1d-4c55-9e0b-5a2b3c4d5e6f');
    assert.equal(cloudIdOf(undefined, null, name), null);
    assert.equal(cloudIdOf({ $type: 'OptionValue', key: 'cloud.uuid', value: '' }, null, 'x'), null);
  });
});

describe('decodeEntityName', () => {
  it('decodes the three escapes vCenter applies and nothing else', () => {
    assert.equal(decodeEntityName('a%2fb%5Cc%25d%20e'), 'a/b\\c%d%20e');
    assert.equal(decodeEntityName('R&D <legacy>'), 'R&D <legacy>');
  });
});
