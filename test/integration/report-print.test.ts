// The monthly workbook of a 1,000-VM fleet (the synthetic fleet-S: one vCenter of 1,000 VMs with
// the reference churn, a month of hourly history) as finance prints and reads it. LibreOffice
// converts it to PDF: every page is landscape; the VM sheet prints one page wide with its header
// row on every page; each chart is whole on a page of its own. LibreOffice's CSV of every sheet
// is read back: the VM rows, totals, Allocation and Cost sheets equal what the database holds
// (queried here, independently of the report code). Needs soffice (libreoffice-calc-nogui) and
// pdfinfo/pdftotext (poppler-utils).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { monthPeriod } from '../../src/core/periods.js';
import { generateFleet, presentCounts, REFERENCE_RATES } from '../../src/core/synthetic-fleet.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { attributeSetKey } from '../../src/core/vm-attributes.js';
import { runAggregate } from '../../src/jobs/aggregate.js';
import { buildReport, type ReportSettings } from '../../src/jobs/report.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadSyntheticFleet } from '../../src/store/bulk-load.js';
import type { Store } from '../../src/store/executor.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { convertWithLibreOffice, convertWithLibreOfficeToFiles } from '../helpers/libreoffice.js';

const run = promisify(execFile);
const CSV_ALL_SHEETS = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1';
const MONTH = monthPeriod('2026-10');
const PERIOD = '2026-10-01 to 2026-10-31';
const NOW_MS = (MONTH.end + 86_400) * 1000;

const RATE_CARDS = [
  {
    valid_from: '2026-01-01',
    currency: 'EUR',
    per: 'month' as const,
    tiers: {
      gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 },
      silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08, vm: 0 },
      bronze: { vcpu: 10, ram_gb: 2.5, disk_gb: 0.05, vm: 0 },
      tin: { vcpu: 6, ram_gb: 1.5, disk_gb: 0.03, vm: 0 },
      none: { vcpu: 8, ram_gb: 2, disk_gb: 0.04, vm: 1 },
    },
    templates: 1,
    srm_placeholders: 0,
    node_charged: 0,
  },
];

const SETTINGS = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
  vcenter_inventory_snapshot_seconds: 3600,
  scheduled_aggregation_engine: 'app' as const,
  monthly_aggregation_source: 'daily' as const,
  hourly_snapshot_max_age_days: 60,
  daily_snapshot_max_age_months: 12,
  report_summary_pivots: [],
  rate_cards: RATE_CARDS,
  cost_dimensions: [
    { name: 'tenant', from: 'custom_attribute:Tenant', default: 'unassigned' },
    { name: 'team', from: 'folder_level: 1', default: 'unassigned' },
  ],
  report_cost_dimensions: ['tenant', 'team'],
};

const TENANTS = ['Acme', 'Globex', 'Initech'];

/** fleet-S over October 2026, aggregated; a third of the VMs get a Tenant custom attribute each. */
async function seedFleet(store: Store): Promise<void> {
  const fleet = generateFleet({ name: 'fleet-S', vcenters: 1, vmsPerVcenter: 1_000, start: MONTH.start, days: 31, snapshotSeconds: 3600, rates: REFERENCE_RATES, seed: 7 });
  await loadSyntheticFleet(store, fleet, presentCounts(fleet));
  const ctx = { store, log: silentLogger(), now: () => NOW_MS };
  const result = await runAggregate(ctx, SETTINGS, { kind: 'monthly', period: MONTH.label, engine: 'app', lockWaitSeconds: 30 });
  assert.ok(!result.skipped && result.outcomes.every((o) => o.ok), JSON.stringify(result));
  // The synthetic fleet has no custom attributes: give the month's rows attribute sets, as a capture would.
  for (const [i, tenant] of TENANTS.entries()) {
    await store.run(sql`INSERT INTO vm_attribute_sets (id, attributes) VALUES (${i + 1}, ${attributeSetKey({ 'custom_attribute:Tenant': tenant })})`);
    await store.run(sql`UPDATE vm_monthly_summary SET attributes_id = ${i + 1} WHERE month = ${MONTH.start} AND lifecycle_id % 4 = ${i}`);
  }
}

/** RFC 4180-ish: quoted fields with doubled quotes, as LibreOffice writes them. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

type Sheet = Record<string, string>[];

async function readSheets(path: string, outDir: string): Promise<Map<string, Sheet>> {
  const files = await convertWithLibreOfficeToFiles(path, CSV_ALL_SHEETS, outDir);
  const prefix = `${basename(path, '.xlsx')}-`;
  const sheets = new Map<string, Sheet>();
  for (const file of files) {
    const [header, ...body] = parseCsv(readFileSync(file, 'utf8'));
    sheets.set(basename(file, '.csv').slice(prefix.length), body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? '']))));
  }
  return sheets;
}

const close = (actual: string | undefined, expected: number, what: string) => {
  const n = Number(actual);
  assert.ok(Number.isFinite(n) && Math.abs(n - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: read back ${actual}, database ${expected}`);
};

/** Each page of the PDF: its size and text, and the sheet its footer names (`<period>  <sheet>  Page n of m`). */
async function pdfPages(pdf: string): Promise<{ width: number; height: number; text: string; sheet: string }[]> {
  const { stdout: info } = await run('pdfinfo', ['-f', '1', '-l', '100000', pdf]);
  const sizes = [...info.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
  assert.ok(sizes.length > 0, info);
  const pages = [];
  for (let p = 1; p <= sizes.length; p++) {
    const { stdout: text } = await run('pdftotext', ['-f', String(p), '-l', String(p), '-layout', pdf, '-'], { maxBuffer: 64 << 20 });
    const footer = new RegExp(`vctp monthly report ${PERIOD}\\s+(.+?)\\s+Page ${p} of ${sizes.length}\\s*$`, 'm').exec(text);
    assert.ok(footer, `page ${p} has the footer with the period, its sheet and "Page ${p} of ${sizes.length}":\n${text.slice(-400)}`);
    pages.push({ width: sizes[p - 1]![0], height: sizes[p - 1]![1], text, sheet: footer[1]! });
  }
  return pages;
}

for (const engine of ENGINES) {
  describe(`the monthly workbook of 1,000 VMs, printed and read back (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    let dir: string;
    let path: string;
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      await seedFleet(store);
      dir = mkdtempSync(join(tmpdir(), `vctp-report-print-${engine}-`));
      const settings: ReportSettings = { ...SETTINGS, reports_dir: join(dir, 'reports') };
      path = (await buildReport({ store, log: silentLogger(), now: () => NOW_MS }, settings, { kind: 'monthly', period: MONTH })).path;
    });
    after(async () => {
      await store?.close();
      await db?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('reads back as the database holds it: VM rows with their cost, totals, Allocation and the Cost sheets', async () => {
      const sheets = await readSheets(path, join(dir, 'csv'));
      const vms = sheets.get('VMs')!;
      const expected = await store.all<Record<string, unknown>>(sql`
        SELECT r.*, s.attributes FROM vm_monthly_summary r LEFT JOIN vm_attribute_sets s ON s.id = r.attributes_id
        WHERE r.month = ${MONTH.start} ORDER BY r.lifecycle_id`);
      assert.ok(expected.length >= 1_000, `${expected.length} VMs in the month`);
      assert.equal(vms.length, expected.length);
      const fields: [string, string][] = [
        ['Samples present', 'samples_present'], ['Samples in period', 'total_samples'], ['Presence (share of period)', 'avg_is_present'],
        ['Average vCPU', 'avg_vcpu_count'], ['Average RAM (GiB)', 'avg_ram_gb'], ['Average provisioned disk (GiB)', 'avg_provisioned_disk'],
        ['vCPU', 'vcpu_count'], ['RAM (GiB)', 'ram_gb'], ['Provisioned disk (GiB)', 'provisioned_disk_gb'],
        ['Cost vCPU (EUR)', 'cost_vcpu'], ['Cost RAM (EUR)', 'cost_ram'], ['Cost disk (EUR)', 'cost_disk'], ['Cost per VM (EUR)', 'cost_vm'],
        ['Cost total (EUR)', 'cost_total'],
      ];
      vms.forEach((row, i) => {
        const e = expected[i]!;
        assert.equal(row['Inventory ID'], String(e.lifecycle_id));
        assert.equal(row['VM name'], e.name);
        for (const [header, column] of fields) close(row[header], Number(e[column]), `${String(e.name)} ${header}`);
      });

      // Totals: the whole vCenter against the period totals; the sum of the VM rows' cost.
      const [totals] = await store.all<Record<string, unknown>>(sql`SELECT * FROM vcenter_aggregate_totals WHERE kind = 'monthly' AND snapshot_time = ${MONTH.start}`);
      const all = sheets.get('Totals')!.find((r) => r.vCenter === 'All vCenters' && r.Group === 'All VMs')!;
      assert.equal(all.VMs, String(totals!.vm_count));
      const costSum = expected.reduce((sum, e) => sum + Number(e.cost_total), 0);
      close(all['Cost total (EUR)'], costSum, 'Totals cost = the VM rows\' cost');
      if (totals!.cost_total != null) close(all['Cost total (EUR)'], Number(totals!.cost_total), 'Totals cost = the period totals\' cost');

      // Allocation and Cost by tenant: the rows and totals grouped here from the database.
      const allocationTotal = sheets.get('Allocation')!.find((r) => r.Breakdown === 'tier' && r.Value === 'Total (all VMs)')!;
      assert.equal(allocationTotal.VMs, String(expected.length));
      close(allocationTotal['Cost total (EUR)'], costSum, 'Allocation total');
      close(allocationTotal['Average vCPU'], Number(all['Average vCPU']), 'Allocation total vCPU = Totals');
      const tenants = sheets.get('Cost by tenant')!;
      const tenantOf = (e: Record<string, unknown>) => (e.attributes == null ? 'unassigned' : (JSON.parse(String(e.attributes)) as Record<string, string>)['custom_attribute:Tenant']!);
      for (const tenant of [...TENANTS, 'unassigned']) {
        const mine = expected.filter((e) => tenantOf(e) === tenant);
        const row = tenants.find((r) => r.tenant === tenant)!;
        assert.ok(row, `a Cost by tenant row for ${tenant}`);
        assert.equal(row.VMs, String(mine.length));
        close(row['Cost total (EUR)'], mine.reduce((sum, e) => sum + Number(e.cost_total), 0), `${tenant} cost`);
        close(row['Average vCPU'], mine.reduce((sum, e) => sum + Number(e.avg_vcpu_count), 0), `${tenant} vCPU`);
      }
      close(tenants.find((r) => r.tenant === 'Total (all VMs)')!['Cost total (EUR)'], costSum, 'Cost by tenant total');
      assert.ok(sheets.has('Cost by team'), [...sheets.keys()].join(', '));
    });

    if (engine !== 'sqlite') return;

    it('prints landscape, the VM sheet one page wide with its header row on every page, each chart whole on its own page', async () => {
      const pages = await pdfPages(await convertWithLibreOffice(path, 'pdf', join(dir, 'pdf'), { timeoutMs: 300_000 }));
      for (const [i, page] of pages.entries()) assert.ok(page.width > page.height, `page ${i + 1} (${page.sheet}) is landscape: ${page.width} x ${page.height} pt`);

      // One page wide: every page of the VM sheet starts with the header row (wrapped onto a few
      // lines) from its first printed column to its last, Cost total; a column cut to a second
      // page would leave pages without "Inventory". The identifiers after the print area
      // (VM UUID, Folder, ...) are in the sheet but not printed.
      const vmPages = pages.filter((p) => p.sheet === 'VMs');
      assert.ok(vmPages.length > 1, `${vmPages.length} pages of VMs`);
      const dataRow = /^\s*\d+\s+(?:app|tpl)-\d+-\d+/;
      for (const [i, page] of vmPages.entries()) {
        const lines = page.text.split('\n');
        const first = lines.findIndex((line) => dataRow.test(line));
        assert.ok(first > 0, `VMs page ${i + 1} has VM rows under a header`);
        const header = lines.slice(0, first).join(' ').replace(/\s+/g, ' ');
        for (const words of ['Inventory', 'VM name', 'vCenter', 'Cluster', 'Tier', 'Charge class', 'Average', 'Cost vCPU', 'Cost total']) {
          assert.ok(header.includes(words), `VMs page ${i + 1}: "${words}" in the header row: ${header}`);
        }
        assert.ok(!/VM UUID|Folder/.test(page.text), `VMs page ${i + 1} prints the print area only`);
      }
      const printedRows = vmPages.reduce((n, p) => n + p.text.split('\n').filter((line) => dataRow.test(line)).length, 0);
      const [count] = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_monthly_summary WHERE month = ${MONTH.start}`);
      assert.equal(printedRows, Number(count!.n), 'every VM row printed once, on the VMs pages');

      // Charts: three pages, each with one chart's caption, title, legend and first and last day.
      const chartPages = pages.filter((p) => p.sheet === 'Charts');
      const titles = ['Prorated chargeable VMs per day, by tier', 'Average vCPU of the chargeable VMs, per day', 'Average RAM of the chargeable VMs, per day'];
      assert.equal(chartPages.length, titles.length);
      chartPages.forEach((page, i) => {
        assert.match(page.text, new RegExp(`chart ${i + 1} of 3, from the All vCenters rows of the Daily Totals sheet`));
        assert.ok(page.text.includes(titles[i]!), `chart ${i + 1}'s title on its page`);
        assert.match(page.text, /2026-10-01/, `chart ${i + 1}: the first day on the axis`);
        assert.match(page.text, /2026-10-31/, `chart ${i + 1}: the last day on the axis`);
        if (i === 0) assert.match(page.text, /Tin\s+Bronze\s+Silver\s+Gold\s+No tier/, 'the legend under the stacked chart');
      });

      // The other sheets print too, each a page wide: their header row on each of their pages.
      const lastHeader: Record<string, string> = { Totals: 'Cost total', Allocation: 'Cost total', 'Cost by tenant': 'Cost total', 'Daily Totals': 'Templates' };
      for (const [sheet, last] of Object.entries(lastHeader)) {
        const sheetPages = pages.filter((p) => p.sheet === sheet);
        assert.ok(sheetPages.length > 0, `${sheet} is printed`);
        for (const page of sheetPages) assert.ok(page.text.includes(last), `${sheet}: its last column's header "${last}" on each of its pages`);
      }
    });
  });
}
