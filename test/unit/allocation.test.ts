// `vctp allocation`'s pure parts: the windows, the grouping into rows, the CSV.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocationCsv, csvField } from '../../src/core/allocation-csv.js';
import { monthParts, parseAllocationWindow } from '../../src/core/allocation-window.js';
import { groupAllocation, parseDimensions, type AllocationVm } from '../../src/core/allocation.js';
import { costDimensionsFromSettings } from '../../src/core/cost-dimensions.js';
import { VctpError } from '../../src/core/errors.js';

const H = 3600;
const DAY = 86_400;
const day = (text: string) => Date.parse(`${text}T00:00:00Z`) / 1000;
const iso = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
/** Tuesday 2026-04-21 12:00 UTC. */
const NOW = day('2026-04-21') + 12 * H;

describe('allocation windows', () => {
  const w = (text: string) => {
    const window = parseAllocationWindow(text, NOW);
    return [iso(window.start), iso(window.end), window.days, window.wholeMonths];
  };

  it('names days, weeks and months relative to today (UTC), end exclusive', () => {
    assert.deepEqual(w('today'), ['2026-04-21', '2026-04-22', 1, false]);
    assert.deepEqual(w('yesterday'), ['2026-04-20', '2026-04-21', 1, false]);
    assert.deepEqual(w('lastweek'), ['2026-04-13', '2026-04-20', 7, false]);
    assert.deepEqual(w('month'), ['2026-04-01', '2026-04-22', 21, false]);
    assert.deepEqual(w('lastmonth'), ['2026-03-01', '2026-04-01', 31, true]);
    assert.deepEqual(w('LastMonth'), ['2026-03-01', '2026-04-01', 31, true]);
  });

  it('takes Nd as the N whole days before today', () => {
    assert.deepEqual(w('7d'), ['2026-04-14', '2026-04-21', 7, false]);
    assert.deepEqual(w('1d'), ['2026-04-20', '2026-04-21', 1, false]);
    assert.deepEqual(w('366d'), ['2025-04-20', '2026-04-21', 366, false]);
  });

  it('takes a month (whole only once it has ended) and an inclusive day range', () => {
    assert.deepEqual(w('2026-02'), ['2026-02-01', '2026-03-01', 28, true]);
    assert.deepEqual(w('2026-04'), ['2026-04-01', '2026-05-01', 30, false]);
    assert.deepEqual(w('2026-02-27..2026-03-02'), ['2026-02-27', '2026-03-03', 4, false]);
    assert.deepEqual(w('2026-03-01..2026-03-31'), ['2026-03-01', '2026-04-01', 31, false]);
    assert.deepEqual(w('2026-04-21..2026-04-21'), ['2026-04-21', '2026-04-22', 1, false]);
    assert.equal(parseAllocationWindow('2026-03', NOW).label, '2026-03-01 to 2026-03-31');
  });

  it('a lastweek on a Monday and on a Sunday', () => {
    assert.deepEqual(iso(parseAllocationWindow('lastweek', day('2026-04-20')).start), '2026-04-13');
    assert.deepEqual(iso(parseAllocationWindow('lastweek', day('2026-04-19') + 23 * H).start), '2026-04-06');
  });

  it('refuses anything else, naming the flag and the forms', () => {
    for (const [text, why] of [
      ['fortnight', /expected today, yesterday, lastweek/],
      ['0d', /expected 1d to 366d/],
      ['367d', /expected 1d to 366d/],
      ['2026-13', /not a month/],
      ['2026-02-30..2026-03-01', /2026-02-30 is not a calendar day/],
      ['2026-03-02..2026-03-01', /the last day is before the first/],
      ['2025-01-01..2026-04-01', /longer than 366 days/],
      ['2026-05', /starts after now/],
      ['', /expected today/],
    ] as const) {
      assert.throws(
        () => parseAllocationWindow(text, NOW, 'query.window'),
        (e: unknown) => e instanceof VctpError && e.code === 'usage' && e.message.startsWith(`query.window ${text}:`) && why.test(e.message),
        text,
      );
    }
  });

  it('splits a window at month starts', () => {
    assert.deepEqual(
      monthParts(day('2026-01-30'), day('2026-03-02')).map((p) => [iso(p.start), iso(p.end), p.monthDays]),
      [
        ['2026-01-30', '2026-02-01', 31],
        ['2026-02-01', '2026-03-01', 28],
        ['2026-03-01', '2026-03-02', 31],
      ],
    );
  });
});

const place = { datacenter: 'DC0', cluster: 'C1', folder: '/DC0/vm/BU-A/Team-1', resourcePool: '/DC0/host/C1/Resources/Gold', tier: 'gold' as const };
const money = (total: number) => ({ vcpu: total / 2, ram: total / 4, disk: total / 8, vm: total / 8, total });
const vmOf = (lifecycleId: number, over: Partial<AllocationVm> = {}): AllocationVm => ({
  vcenter: 'vc1',
  vmId: `vm-${lifecycleId}`,
  lifecycleId,
  name: `vm${lifecycleId}`,
  placement: place,
  attributes: {},
  proratedVms: 1,
  avgVcpu: 2,
  avgRamGb: 4,
  avgDiskGb: 50,
  money: money(10),
  ...over,
});

const DIMENSIONS = costDimensionsFromSettings([
  { name: 'tenant', from: 'custom_attribute:Tenant', default: 'unassigned' },
  { name: 'team', from: 'folder_level: 2', default: 'no team' },
]);

describe('allocation rows', () => {
  it('parses --by against built-in and configured dimensions', () => {
    assert.deepEqual(
      parseDimensions('tenant, tier', DIMENSIONS).map((d) => [d.kind, d.name]),
      [
        ['configured', 'tenant'],
        ['built-in', 'tier'],
      ],
    );
    assert.throws(() => parseDimensions('tenant,colour', DIMENSIONS), /--by tenant,colour: unknown dimension colour; expected vcenter, datacenter, cluster, folder, pool, tier, vm, tenant, team$/);
    assert.throws(() => parseDimensions('tier,tier', DIMENSIONS), /tier is given twice/);
    assert.throws(() => parseDimensions(' , ', DIMENSIONS), /expected one or more dimensions/);
  });

  it('groups VMs by their values, unassigned and none included, total over every VM', () => {
    const vms = [
      vmOf(1, { attributes: { 'custom_attribute:Tenant': 'acme' } }),
      vmOf(2, { attributes: { 'custom_attribute:Tenant': 'acme' }, placement: { ...place, tier: 'silver' }, money: money(4) }),
      vmOf(3, { attributes: { 'custom_attribute:Tenant': 'acme' }, money: money(6), proratedVms: 0.5 }),
      vmOf(4, { placement: { ...place, tier: null, folder: null }, money: money(30) }),
      vmOf(5, { attributes: { 'custom_attribute:Tenant': ' ' }, placement: { ...place, tier: null }, money: money(1) }),
    ];
    const { rows, total } = groupAllocation(vms, parseDimensions('tenant,tier', DIMENSIONS));
    assert.deepEqual(
      rows.map((r) => [r.tenant, r.tier, r.vms, r.prorated_vms, r.cost.total]),
      [
        ['unassigned', 'none', 2, 2, 31],
        ['acme', 'gold', 2, 1.5, 16],
        ['acme', 'silver', 1, 1, 4],
      ],
    );
    assert.deepEqual(total, { vms: 5, prorated_vms: 4.5, avg_vcpu: 10, avg_ram_gb: 20, avg_disk_gb: 250, cost: { vcpu: 25.5, ram: 12.75, disk: 6.375, vm: 6.375, total: 51 } });
    const teams = groupAllocation(vms, parseDimensions('team', DIMENSIONS)).rows.map((r) => [r.team, r.vms]);
    assert.deepEqual(teams, [
      ['no team', 1],
      ['Team-1', 4],
    ]);
  });

  it('sorts equal costs by their values and keeps VMs of one name apart', () => {
    const vms = [vmOf(1, { name: 'web', money: money(0) }), vmOf(2, { name: 'app', money: money(0) }), vmOf(3, { name: 'web', vcenter: 'vc0', vmId: 'vm-1', money: money(0) })];
    const { rows } = groupAllocation(vms, parseDimensions('vm', []));
    assert.deepEqual(
      rows.map((r) => [r.vm, r.vcenter, r.vm_id]),
      [
        ['app', 'vc1', 'vm-2'],
        ['web', 'vc0', 'vm-1'],
        ['web', 'vc1', 'vm-1'],
      ],
    );
    const pools = groupAllocation([vmOf(1, { placement: { ...place, resourcePool: null } })], parseDimensions('pool,datacenter', []));
    assert.deepEqual([pools.rows[0]!.pool, pools.rows[0]!.datacenter], ['unassigned', 'DC0']);
  });

  it('writes CSV with a header, quoting what needs it', () => {
    const allocation = groupAllocation([vmOf(1, { name: 'a,"b"' })], parseDimensions('vm', []));
    const csv = allocationCsv(allocation, ['vm'], 'EUR');
    assert.equal(
      csv,
      'vm,vm_id,vcenter,vms,prorated_vms,avg_vcpu,avg_ram_gb,avg_disk_gb,cost_vcpu,cost_ram,cost_disk,cost_vm,cost_total,currency\r\n' +
        '"a,""b""",vm-1,vc1,1,1,2,4,50,5,2.5,1.25,1.25,10,EUR\r\n',
    );
  });
});

describe('allocation CSV cells', () => {
  it('writes a text value that a spreadsheet would run as a formula with a leading apostrophe', () => {
    assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('-1+2'), "'-1+2");
    assert.equal(csvField(-1.5), '-1.5');
    assert.equal(csvField('web-01'), 'web-01');
  });
});
