// Pieces of the workbooks' print layout: how many lines a wrapped header takes (the header row's
// height), the Cost sheets' names within Excel's 31 characters, and the VM sheet's printed columns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costSheetName } from '../../src/reports/allocation-sheet.js';
import { HOURLY_VM_SHEET, summaryVmSheet } from '../../src/reports/vm-sheet.js';
import { wrappedLines, wrapWords } from '../../src/reports/workbook-stream.js';

describe('report layout', () => {
  it('wraps a header at spaces into its column, two characters to spare for bold text', () => {
    assert.equal(wrappedLines('VMs', 10), 1);
    assert.equal(wrappedLines('Average provisioned disk (GiB)', 11), 4); // Average / provisioned / disk (GiB)... 9 characters a line
    assert.equal(wrappedLines('Cost total (EUR)', 12), 2);
    assert.equal(wrappedLines('Inventory ID', 9), 2);
    assert.deepEqual(wrapWords('a note longer than one line, wrapped', 12), ['a note', 'longer than', 'one line,', 'wrapped']);
    assert.deepEqual(wrapWords('x'.repeat(10), 4), ['xxxx', 'xxxx', 'xx']);
    assert.deepEqual(wrapWords('', 4), ['']);
  });

  it('names Cost sheets within 31 characters, distinct when two names cut to the same', () => {
    const taken = new Set<string>();
    assert.equal(costSheetName('tenant', taken), 'Cost by tenant');
    const long = 'a_very_long_dimension_name_indeed_1';
    assert.equal(costSheetName(long, taken), 'Cost by a_very_long_dimension_n');
    assert.equal(costSheetName(`${long}x`, taken), 'Cost by a_very_long_dimension~2');
    assert.ok([...taken].every((name) => name.length <= 31));
  });

  it('prints the VM, where it ran and what it cost first; identifiers and times after the print area', () => {
    const monthly = summaryVmSheet({ currency: 'EUR' });
    const printed = monthly.columns.slice(0, monthly.printed).map((c) => c.header);
    assert.deepEqual(printed, [
      'Inventory ID', 'VM name', 'vCenter', 'Cluster', 'Tier', 'Charge class', 'Presence (share of period)', 'Average vCPU',
      'Average RAM (GiB)', 'Average provisioned disk (GiB)', 'Cost vCPU (EUR)', 'Cost RAM (EUR)', 'Cost disk (EUR)', 'Cost per VM (EUR)', 'Cost total (EUR)',
    ]);
    assert.ok(monthly.columns.slice(monthly.printed).some((c) => c.header === 'VM UUID'));
    assert.equal(summaryVmSheet(null).columns.filter((c) => c.header.startsWith('Cost')).length, 0, 'no rate cards: no cost columns');
    assert.deepEqual(HOURLY_VM_SHEET.columns.slice(0, HOURLY_VM_SHEET.printed).map((c) => c.header).slice(-4), ['vCPU', 'RAM (GiB)', 'Provisioned disk (GiB)', 'Powered on']);
  });
});
