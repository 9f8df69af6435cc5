// The Summary tables' settings (report_summary_pivots): where each table goes, and every mistake
// reported as a settings error naming the entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absoluteRange, columnLetters, parseCell, parseRange } from '../../src/core/report-cells.js';
import { definedNameFrom, pivotTable, pivotTotalLabel, placePivots, planPivots, type PivotCell, type PivotEntry } from '../../src/core/report-pivots.js';
import { NO_MONEY } from '../../src/core/cost.js';
import { emptyTotalsByGroup } from '../../src/core/report-totals.js';
import { VctpError } from '../../src/core/errors.js';

function cell(vcenter: string, cluster: string, tin: number, gold: number): PivotCell {
  const totals = emptyTotalsByGroup();
  const cost = { ...NO_MONEY };
  totals.tin = { vmCount: tin > 0 ? 1 : 0, proratedVmCount: tin, vcpu: 2 * tin, ramGb: 8 * tin, diskGb: 0, cost };
  totals.gold = { vmCount: gold > 0 ? 1 : 0, proratedVmCount: gold, vcpu: 4 * gold, ramGb: 16 * gold, diskGb: 0, cost };
  totals.chargeable = { vmCount: (tin > 0 ? 1 : 0) + (gold > 0 ? 1 : 0), proratedVmCount: tin + gold, vcpu: 2 * tin + 4 * gold, ramGb: 8 * tin + 16 * gold, diskGb: 0, cost };
  return { vcenter, cluster, totals };
}

const tablesOf = (cells: PivotCell[]) =>
  new Map((['avg_vcpu', 'avg_ram', 'prorated_vm_count', 'vm_name_count'] as const).map((m) => [m, pivotTable(m, cells)]));

function settingsError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof VctpError && error.code === 'config', String(error));
    return error.message;
  }
  assert.fail('expected a settings error');
}

describe('cell references', () => {
  it('parses the forms the settings accept', () => {
    assert.deepEqual(parseRange('Summary!A3:H40'), { sheet: 'Summary', top: 3, left: 1, bottom: 40, right: 8 });
    assert.deepEqual(parseRange('$B$2:$AA$10'), { sheet: null, top: 2, left: 2, bottom: 10, right: 27 });
    assert.deepEqual(parseRange("'My ''Sheet'''!C1:D2"), { sheet: "My 'Sheet'", top: 1, left: 3, bottom: 2, right: 4 });
    assert.deepEqual(parseCell('Summary!K1'), { sheet: 'Summary', row: 1, col: 11 });
    assert.equal(parseRange('A3'), null);
    assert.equal(columnLetters(27), 'AA');
    assert.equal(absoluteRange('Summary', { top: 3, left: 1, bottom: 40, right: 8 }), "'Summary'!$A$3:$H$40");
  });
});

describe('summary table placement', () => {
  it('stacks the four built-in tables when nothing is configured, each under its title', () => {
    const placed = placePivots(planPivots([]), tablesOf([cell('vc1', 'C0', 1, 2), cell('vc1', 'C1', 0, 1)]));
    assert.deepEqual(
      placed.map((p) => [p.plan.metric, p.titleCell.row, p.at.top, p.at.bottom, p.at.right]),
      [
        ['avg_vcpu', 1, 2, 5, 8], // header, 2 rows, total
        ['avg_ram', 8, 9, 12, 8],
        ['prorated_vm_count', 15, 16, 19, 8],
        ['vm_name_count', 22, 23, 26, 8],
      ],
    );
    assert.deepEqual(placed.map((p) => p.plan.definedName), ['PivotAvgVcpu', 'PivotAvgRam', 'PivotProratedVmCount', 'PivotVmNameCount']);
  });

  it('puts a configured table at its range, with its title above it or at title_cell, and the others below', () => {
    const entries: PivotEntry[] = [
      { metric: 'avg_ram', title: 'RAM', pivot_name: 'Ram Pivot', pivot_range: 'Summary!A3:H40' },
      { metric: 'prorated_vm_count', pivot_range: 'J1:Q20', title_cell: 'Summary!J22' },
    ];
    const placed = placePivots(planPivots(entries), tablesOf([cell('vc1', 'C0', 1, 2)]));
    const ram = placed.find((p) => p.plan.metric === 'avg_ram')!;
    assert.deepEqual([ram.plan.title, ram.plan.definedName, ram.titleCell, ram.at], ['RAM', 'Ram_Pivot', { row: 2, col: 1 }, { top: 3, left: 1, bottom: 5, right: 8 }]);
    const vms = placed.find((p) => p.plan.metric === 'prorated_vm_count')!;
    assert.deepEqual([vms.titleCell, vms.at.top, vms.at.left], [{ row: 22, col: 10 }, 1, 10]);
    const vcpu = placed.find((p) => p.plan.metric === 'avg_vcpu')!;
    assert.equal(vcpu.titleCell.row, 42); // below A3:H40 (and the title at J22)
    assert.equal(vcpu.at.top, 43);
  });

  it('gives a range on row 1 its first row for the title', () => {
    const [plan] = planPivots([{ metric: 'avg_vcpu', pivot_range: 'A1:H10' }]);
    assert.deepEqual([plan!.titleCell, plan!.area?.top], [{ row: 1, col: 1 }, 2]);
  });

  it('reports every bad entry by index: other sheet, too narrow, overlapping, title inside another table', () => {
    const message = settingsError(() =>
      planPivots([
        { metric: 'avg_vcpu', pivot_range: 'VMs!A3:H40' },
        { metric: 'avg_ram', pivot_range: 'A3:E40' },
        { metric: 'prorated_vm_count', pivot_range: 'A50:H60' },
        { metric: 'vm_name_count', pivot_range: 'C55:J70', title_cell: 'B51' },
      ]),
    );
    assert.match(message, /settings\.report_summary_pivots\[0\]\.pivot_range: VMs!A3:H40 is on sheet "VMs"/);
    assert.match(message, /settings\.report_summary_pivots\[1\]\.pivot_range: A3:E40 is 5 columns wide; the avg_ram table needs 8/);
    assert.match(message, /settings\.report_summary_pivots\[3\]\.pivot_range: overlaps the range of settings\.report_summary_pivots\[2\]/);
    assert.match(message, /settings\.report_summary_pivots\[3\]\.title_cell: the title cell B51 lies inside the range of settings\.report_summary_pivots\[2\]/);
    assert.match(message, /^settings\.report_summary_pivots: 4 problems:/);
  });

  it('a table with more rows than its range is a settings error naming the entry', () => {
    const plans = planPivots([{ metric: 'vm_name_count', pivot_range: 'Summary!A3:H5' }]);
    const cells = [cell('vc1', 'C0', 1, 0), cell('vc1', 'C1', 1, 0), cell('vc2', 'C0', 0, 1)];
    const message = settingsError(() => placePivots(plans, tablesOf(cells)));
    assert.match(message, /settings\.report_summary_pivots\[0\]\.pivot_range: the vm_name_count table needs 5 rows \(3 vCenter\/cluster rows, a header and a total\) at A3:H7, but A3:H5 leaves 3/);
  });

  it('makes defined names out of free-form pivot names', () => {
    assert.equal(definedNameFrom('Avg vCPU (prorated)'), 'Avg_vCPU__prorated_');
    assert.equal(definedNameFrom('2026 pivot'), '_2026_pivot');
    assert.equal(definedNameFrom('AB12'), '_AB12');
    assert.equal(definedNameFrom('R1C1'), '_R1C1');
    const plans = planPivots([
      { metric: 'avg_vcpu', pivot_name: 'Same' },
      { metric: 'avg_ram', pivot_name: 'same' },
    ]);
    assert.deepEqual(plans.slice(0, 2).map((p) => p.definedName), ['Same', 'same_2']);
  });
});

describe('summary table values', () => {
  it('rows per vCenter and cluster, columns per tier, a total row of sums; clusters without chargeable VMs are left out', () => {
    const empty = { vcenter: 'vc1', cluster: 'empty', totals: emptyTotalsByGroup() };
    const t = pivotTable('prorated_vm_count', [cell('vc2', 'C0', 0, 1), cell('vc1', 'C0', 1, 0.5), empty]);
    assert.deepEqual(t.rows, [
      { vcenter: 'vc1', cluster: 'C0', values: [1, 0, 0, 0.5, 0, 1.5] },
      { vcenter: 'vc2', cluster: 'C0', values: [0, 0, 0, 1, 0, 1] },
    ]);
    assert.deepEqual(t.total, [1, 0, 0, 1.5, 0, 2.5]);
    assert.equal(pivotTotalLabel('prorated_vm_count'), 'Total');
    assert.deepEqual(pivotTable('vm_name_count', [cell('vc1', 'C0', 1, 0.5)]).rows[0]!.values, [1, 0, 0, 1, 0, 2]);
  });

  it('the Average vCPU and RAM tables hold the average per VM, and their last row the average over all rows, not a sum', () => {
    // vc1/C0: Tin 1 VM of 2 vCPU, Gold half a VM of 4 vCPU; vc2/C0: Gold one VM of 4 vCPU.
    const t = pivotTable('avg_vcpu', [cell('vc2', 'C0', 0, 1), cell('vc1', 'C0', 1, 0.5)]);
    assert.deepEqual(t.rows, [
      { vcenter: 'vc1', cluster: 'C0', values: [2, null, null, 4, null, (2 + 2) / 1.5] },
      { vcenter: 'vc2', cluster: 'C0', values: [null, null, null, 4, null, 4] },
    ]);
    // Tin: 2 vCPU / 1 VM; Gold: (2 + 4) / 1.5; all: (2 + 2 + 4) / 2.5 -- a sum of the rows would be 8.
    assert.deepEqual(t.total, [2, null, null, 4, null, 8 / 2.5]);
    assert.equal(pivotTotalLabel('avg_vcpu'), 'Average (all rows)');
    assert.deepEqual(pivotTable('avg_ram', [cell('vc1', 'C0', 1, 0.5)]).total, [8, null, null, 16, null, 16 / 1.5]);
  });
});
