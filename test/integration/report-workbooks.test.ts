// Hourly, daily and monthly workbooks on both databases, opened by LibreOffice: every sheet is read
// back as CSV and its VM rows and totals compared with what the database holds (queried here
// independently of the report code); the daily intervals against hand-worked values; the charts
// must be in LibreOffice's own conversion of the file.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import JSZip from 'jszip';
import { VctpError } from '../../src/core/errors.js';
import { buildReport } from '../../src/jobs/report.js';
import type { Store } from '../../src/store/executor.js';
import { decodeUuid } from '../../src/store/uuid-codec.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { convertWithLibreOffice, convertWithLibreOfficeToFiles } from '../helpers/libreoffice.js';
import { at, DAY, fixtureContext, MONTH, reportSettings, seedReportFleet, VC1, VC2 } from './report-fixture.js';

const CSV_ALL_SHEETS = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1';

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

/** Every sheet of the workbook as LibreOffice reads it: header-keyed rows (the Report and Summary sheets as raw rows). */
async function readWorkbook(path: string, outDir: string): Promise<{ sheets: Map<string, Sheet>; raw: Map<string, string[][]> }> {
  const files = await convertWithLibreOfficeToFiles(path, CSV_ALL_SHEETS, outDir);
  const prefix = `${basename(path, '.xlsx')}-`;
  const sheets = new Map<string, Sheet>();
  const raw = new Map<string, string[][]>();
  for (const file of files) {
    const name = basename(file, '.csv').slice(prefix.length);
    const rows = parseCsv(readFileSync(file, 'utf8'));
    raw.set(name, rows);
    const [header, ...body] = rows;
    sheets.set(name, body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? '']))));
  }
  return { sheets, raw };
}

const close = (actual: string, expected: number, what: string) => {
  const n = Number(actual);
  assert.ok(Number.isFinite(n) && Math.abs(n - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: read back ${actual}, database ${expected}`);
};
const dateText = (unix: number) => (unix === 0 ? '' : new Date(unix * 1000).toISOString().slice(0, 19).replace('T', ' '));
const bool = (v: unknown) => (Number(v) === 1 ? 'TRUE' : 'FALSE');

async function chartObjects(xlsx: string, outDir: string): Promise<number> {
  const ods = await convertWithLibreOffice(xlsx, 'ods', outDir);
  const content = await (await JSZip.loadAsync(readFileSync(ods))).file('content.xml')!.async('string');
  return (content.match(/<draw:object /g) ?? []).length;
}

for (const engine of ENGINES) {
  describe(`report workbooks read back by LibreOffice (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    let dir: string;
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      await seedReportFleet(store);
      dir = mkdtempSync(join(tmpdir(), `vctp-report-${engine}-`));
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    const totalsRow = async (kind: string, vcenter: string, time: number) =>
      (
        await store.all<Record<string, unknown>>(sql`
          SELECT t.* FROM vcenter_aggregate_totals t JOIN vcenters v ON v.id = t.vcenter_id
          WHERE t.kind = ${kind} AND v.name = ${vcenter} AND t.snapshot_time = ${time}`)
      )[0]!;

    function checkTotals(totals: Sheet, vcenter: string, t: Record<string, unknown>) {
      const group = (name: string) => totals.find((r) => r.vCenter === vcenter && r.Group === name)!;
      const charged = group('Chargeable (all tiers)');
      close(charged['Prorated VMs']!, Number(t.chargeable_vm_count), `${vcenter} prorated VMs`);
      close(charged['Average vCPU']!, Number(t.vcpu_total), `${vcenter} vCPU`);
      close(charged['Average RAM (GiB)']!, Number(t.ram_gb_total), `${vcenter} RAM`);
      close(charged['Average provisioned disk (GiB)']!, Number(t.disk_gb_total), `${vcenter} disk`);
      for (const [label, column] of [['Tin', 'tin_vm_count'], ['Bronze', 'bronze_vm_count'], ['Silver', 'silver_vm_count'], ['Gold', 'gold_vm_count'], ['No tier', 'untiered_vm_count']]) {
        close(group(label!)['Prorated VMs']!, Number(t[column!]), `${vcenter} ${label}`);
      }
      assert.equal(Number(group('Templates').VMs), Number(t.template_count));
      assert.equal(Number(group('SRM placeholders and standbys').VMs), Number(t.srm_placeholder_count));
      assert.equal(Number(group('Node-charged (node_charge_clusters)').VMs), Number(t.node_charge_vm_count));
      assert.equal(Number(group('All VMs').VMs), Number(t.vm_count));
    }

    it('hourly: every VM of the snapshots with every field, totals equal to the snapshot totals', async () => {
      const result = await buildReport(fixtureContext(store), reportSettings(join(dir, 'reports')), { kind: 'hourly', at: at(13, 30) });
      assert.equal(result.path, join(dir, 'reports', 'hourly', '2026-04-21T13.xlsx'));
      const { sheets, raw } = await readWorkbook(result.path, join(dir, 'csv-hourly'));
      assert.deepEqual([...sheets.keys()].sort(), ['Report', 'Totals', 'VMs']);

      const expected = await store.all<Record<string, unknown>>(
        sql`SELECT * FROM vm_hourly_stats WHERE snapshot_time IN (${at(13) + 5}, ${at(13) + 9}) ORDER BY vcenter, inventory_id`,
      );
      const vms = sheets.get('VMs')!;
      assert.equal(vms.length, expected.length);
      assert.equal(result.vmRows, expected.length);
      for (const e of expected) {
        const row = vms.find((r) => r['Inventory ID'] === String(e.inventory_id) && r.vCenter === e.vcenter)!;
        assert.ok(row, `VM ${String(e.inventory_id)} of ${String(e.vcenter)} is in the sheet`);
        assert.equal(row['VM name'], e.name);
        assert.equal(row['VM ID (MoRef)'], e.vm_id);
        assert.equal(row['VM UUID'], decodeUuid(e.vm_uuid) ?? '');
        assert.equal(row['Instance UUID'], decodeUuid(e.instance_uuid) ?? '');
        assert.equal(row['Created (UTC)'], dateText(Number(e.creation_time)));
        assert.equal(row['Deleted (UTC)'], dateText(Number(e.deletion_time)));
        assert.equal(row['Snapshot (UTC)'], dateText(Number(e.snapshot_time)));
        assert.equal(row['Resource pool'], e.resource_pool ?? '');
        assert.equal(row.Tier?.toLowerCase(), e.tier ?? '');
        assert.equal(row.Cluster, e.cluster ?? '');
        assert.equal(row.Folder, e.folder ?? '');
        close(row['Provisioned disk (GiB)']!, Number(e.provisioned_disk), 'ProvisionedDisk');
        close(row.vCPU!, Number(e.vcpu_count), 'VcpuCount');
        close(row['RAM (GiB)']!, Number(e.ram_gb), 'RamGB');
        assert.deepEqual([row.Template, row['Powered on'], row['SRM placeholder']], [bool(e.is_template), bool(e.powered_on), bool(e.srm_placeholder)]);
      }
      assert.equal(vms.find((r) => r['VM name'] === 'hpc01')!['Charge class'], 'Node-charged');
      assert.equal(vms.find((r) => r['VM name'] === 'aa-app')!['Charge class'], 'SRM standby');

      checkTotals(sheets.get('Totals')!, VC1, await totalsRow('hourly', VC1, at(13) + 5));
      checkTotals(sheets.get('Totals')!, VC2, await totalsRow('hourly', VC2, at(13) + 9));
      const front = raw.get('Report')!.map((r) => r.filter((c) => c !== ''));
      assert.deepEqual(front.find((r) => r[0] === VC1), [VC1, '2026-04-21 13:00:05', '8', '2026-05-01 02:00:00', 'ok']);
    });

    it('daily: summary fields, totals equal to the daily totals, 24 hand-checked interval rows, pivots and 3 charts', async () => {
      const result = await buildReport(fixtureContext(store), reportSettings(join(dir, 'reports')), { kind: 'daily', period: DAY });
      assert.equal(result.charts, 3);
      const { sheets, raw } = await readWorkbook(result.path, join(dir, 'csv-daily'));
      assert.deepEqual([...sheets.keys()].sort(), ['Allocation', 'Charts', 'Hourly Totals', 'Report', 'Summary', 'Totals', 'VMs']);

      const expected = await store.all<Record<string, unknown>>(sql`
        SELECT r.*, v.name AS vcenter FROM vm_daily_rollup r JOIN vcenters v ON v.id = r.vcenter_id WHERE r.day = ${DAY.start}`);
      const vms = sheets.get('VMs')!;
      assert.equal(vms.length, expected.length);
      const fields: [string, string][] = [
        ['Samples present', 'samples_present'], ['Samples in period', 'total_samples'], ['Presence (share of period)', 'avg_is_present'],
        ['Average vCPU', 'avg_vcpu_count'], ['Average RAM (GiB)', 'avg_ram_gb'], ['Average provisioned disk (GiB)', 'avg_provisioned_disk'],
        ['Tin (% of presence)', 'pool_tin_pct'], ['Bronze (% of presence)', 'pool_bronze_pct'], ['Silver (% of presence)', 'pool_silver_pct'],
        ['Gold (% of presence)', 'pool_gold_pct'], ['Tin (prorated VMs)', 'tin'], ['Bronze (prorated VMs)', 'bronze'], ['Silver (prorated VMs)', 'silver'],
        ['Gold (prorated VMs)', 'gold'], ['vCPU', 'vcpu_count'], ['RAM (GiB)', 'ram_gb'],
      ];
      for (const e of expected) {
        const row = vms.find((r) => r['Inventory ID'] === String(e.lifecycle_id))!;
        assert.equal(row['VM name'], e.name);
        assert.equal(row.vCenter, e.vcenter);
        for (const [header, column] of fields) close(row[header]!, Number(e[column]), `${String(e.name)} ${header}`);
        assert.equal(row['Created (UTC)'], dateText(Number(e.creation_time)));
        assert.equal(row['Deleted (UTC)'], dateText(Number(e.deletion_time)));
        assert.equal(row['Latest sample (UTC)'], dateText(Number(e.snapshot_time)));
      }
      assert.equal(vms.find((r) => r['VM name'] === 'old01')!['Deleted (UTC)'], '2026-04-21 13:45:00');

      checkTotals(sheets.get('Totals')!, VC1, await totalsRow('daily', VC1, DAY.start));
      checkTotals(sheets.get('Totals')!, VC2, await totalsRow('daily', VC2, DAY.start));

      const hours = sheets.get('Hourly Totals')!;
      assert.equal(hours.length, 24 * 3);
      const hour = (vcenter: string, label: string) => hours.find((r) => r.vCenter === vcenter && r['Interval (UTC)'] === label)!;
      // vc1 13:00-14:00, read from 14:00: web01 (4 vCPU since 12:00), db01 (Silver), misc01 all of it;
      // new01 created 13:20 (40/60, Silver, 2 vCPU); old01 deleted 13:45 (45/60, Bronze, 4 vCPU).
      const h13 = hour(VC1, '13:00 to 14:00');
      assert.equal(h13['Snapshot used'], '2026-04-21 14:00:05');
      assert.equal(h13.VMs, '9');
      close(h13['Prorated VMs']!, 3 + 40 / 60 + 45 / 60, 'prorated');
      close(h13['Average vCPU']!, 4 + 2 + 2 + (2 * 40) / 60 + (4 * 45) / 60, 'vCPU');
      close(h13['Silver (prorated VMs)']!, 1 + 40 / 60, 'Silver');
      close(h13['Bronze (prorated VMs)']!, 45 / 60, 'Bronze');
      // vc2 misses 15:00: 14:00-15:00 is read from 16:00, where late01 (created 15:30) does not count.
      const h14 = hour(VC2, '14:00 to 15:00');
      assert.deepEqual([h14['Snapshot used'], h14.VMs, h14['Prorated VMs']], ['2026-04-21 16:00:09', '2', '2']);
      close(hour(VC2, '15:00 to 16:00')['Prorated VMs']!, 2.5, 'vc2 15:00');
      // The last hour is read from the next day's first snapshot.
      assert.equal(hour(VC1, '23:00 to 24:00')['Snapshot used'], '2026-04-22 00:00:05');
      const all13 = hour('All vCenters', '13:00 to 14:00');
      close(all13['Prorated VMs']!, 3 + 40 / 60 + 45 / 60 + 2, 'all vCenters 13:00');

      const summary = raw.get('Summary')!;
      const titles = summary.map((r) => r[0]).filter((c) => c?.includes('by vCenter, cluster and tier'));
      assert.equal(titles.length, 4);
      const prorated = summary.findIndex((r) => r[0]?.startsWith('Prorated VMs by'));
      const total = summary.slice(prorated).find((r) => r[0] === 'Total')!;
      const charged = sheets.get('Totals')!.find((r) => r.vCenter === 'All vCenters' && r.Group === 'Chargeable (all tiers)')!;
      close(total[7]!, Number(charged['Prorated VMs']), 'Summary total = chargeable prorated VMs');
      // The Average vCPU table's last row is the average vCPU of a VM, not a sum of the rows' averages.
      const averages = summary.findIndex((r) => r[0]?.startsWith('Average vCPU per VM'));
      const average = summary.slice(averages).find((r) => r[0] === 'Average (all rows)')!;
      close(average[7]!, Number(charged['Average vCPU']) / Number(charged['Prorated VMs']), 'Average vCPU per VM over all rows');

      assert.equal(await chartObjects(result.path, join(dir, 'ods-daily')), 3);
    });

    it('monthly: summary rows, Daily Totals labelled by day from the daily totals, 3 charts', async () => {
      const result = await buildReport(fixtureContext(store), reportSettings(join(dir, 'reports')), { kind: 'monthly', period: MONTH });
      const { sheets } = await readWorkbook(result.path, join(dir, 'csv-monthly'));
      assert.deepEqual([...sheets.keys()].sort(), ['Allocation', 'Charts', 'Daily Totals', 'Report', 'Summary', 'Totals', 'VMs']);
      const expected = await store.all<Record<string, unknown>>(sql`SELECT * FROM vm_monthly_summary WHERE month = ${MONTH.start}`);
      const vms = sheets.get('VMs')!;
      assert.equal(vms.length, expected.length);
      for (const e of expected) {
        const row = vms.find((r) => r['Inventory ID'] === String(e.lifecycle_id))!;
        close(row['Samples present']!, Number(e.samples_present), 'SamplesPresent');
        close(row['Average vCPU']!, Number(e.avg_vcpu_count), 'AvgVcpuCount');
        close(row['Gold (% of presence)']!, Number(e.pool_gold_pct), 'PoolGoldPct');
        close(row['Gold (prorated VMs)']!, Number(e.gold), 'Gold');
      }
      checkTotals(sheets.get('Totals')!, VC1, await totalsRow('monthly', VC1, MONTH.start));
      checkTotals(sheets.get('Totals')!, VC2, await totalsRow('monthly', VC2, MONTH.start));
      // Allocation by tier: every VM once, where its latest sample placed it; the total is the report's.
      const allocation = sheets.get('Allocation')!;
      const all = sheets.get('Totals')!.find((r) => r.vCenter === 'All vCenters' && r.Group === 'All VMs')!;
      const tierTotal = allocation.find((r) => r.Breakdown === 'tier' && r.Value === 'Total (all VMs)')!;
      assert.equal(tierTotal.VMs, all.VMs);
      for (const column of ['Prorated VMs', 'Average vCPU', 'Average RAM (GiB)', 'Average provisioned disk (GiB)']) {
        close(tierTotal[column]!, Number(all[column]), `Allocation total ${column}`);
      }
      assert.deepEqual(allocation.filter((r) => r.Breakdown === 'tier').map((r) => r.Value), ['Tin', 'Bronze', 'Silver', 'Gold', 'No tier', 'Total (all VMs)']);
      // db01 moved Silver -> Gold at 18:00 on the 21st: allocation puts it under Gold, its latest tier.
      const gold = expected.filter((e) => vms.find((r) => r['Inventory ID'] === String(e.lifecycle_id))!.Tier === 'Gold').length;
      assert.equal(allocation.find((r) => r.Breakdown === 'tier' && r.Value === 'Gold')!.VMs, String(gold));

      const days = sheets.get('Daily Totals')!;
      assert.equal(days.length, 30 * 3);
      const day21 = days.find((r) => r.vCenter === 'All vCenters' && r['Day (UTC)'] === '2026-04-21')!;
      const [d1, d2] = [await totalsRow('daily', VC1, DAY.start), await totalsRow('daily', VC2, DAY.start)];
      close(day21['Prorated VMs']!, Number(d1.chargeable_vm_count) + Number(d2.chargeable_vm_count), 'day prorated VMs');
      close(day21['Average vCPU']!, Number(d1.vcpu_total) + Number(d2.vcpu_total), 'day vCPU');
      assert.equal(day21.Samples, '47 of 48 samples');
      assert.equal(days.find((r) => r['Day (UTC)'] === '2026-04-01')!.Samples, 'no daily summary');
      assert.equal(days.find((r) => r['Day (UTC)'] === '2026-04-30')!.vCenter, 'All vCenters');

      assert.equal(await chartObjects(result.path, join(dir, 'ods-monthly')), 3);
    });

    it('hourly: a vCenter without a snapshot in the hour is listed as missed on the front sheet', async () => {
      const result = await buildReport(fixtureContext(store), reportSettings(join(dir, 'reports')), { kind: 'hourly', hourStart: at(15) });
      assert.deepEqual(result.vcenters, [VC1]);
      const { raw } = await readWorkbook(result.path, join(dir, 'csv-hourly-15'));
      const front = raw.get('Report')!.map((r) => r.filter((c) => c !== ''));
      assert.deepEqual(front.find((r) => r[0] === 'Missed snapshots'), ['Missed snapshots', VC2]);
      assert.deepEqual(front.find((r) => r[0] === VC2), [VC2, 'missed: no snapshot in this hour']);
    });

    it('a report limited to one vCenter gets a file of its own', async () => {
      const result = await buildReport(fixtureContext(store), reportSettings(join(dir, 'reports')), { kind: 'daily', period: DAY }, { vcenters: [VC2] });
      assert.equal(basename(result.path), '2026-04-21_vc2.example.com_8443.xlsx');
      assert.deepEqual(result.vcenters, [VC2]);
      assert.equal(result.vmRows, 3);
    });

    it('a Summary table that does not fit its configured range fails the report as a settings error, leaving no file', async () => {
      const reports = join(dir, 'reports-bad-pivot');
      const settings = reportSettings(reports, { report_summary_pivots: [{ metric: 'avg_ram' }, { metric: 'avg_vcpu', pivot_range: 'Summary!A3:H5' }] });
      const error = await buildReport(fixtureContext(store), settings, { kind: 'daily', period: DAY }).catch((e: unknown) => e);
      assert.ok(error instanceof VctpError && error.code === 'config', String(error));
      assert.match(error.message, /settings\.report_summary_pivots\[1\]\.pivot_range: the avg_vcpu table needs 5 rows/);
      assert.deepEqual(readdirSync(join(reports, 'daily')), []);
      const runs = await store.all<{ status: string; error: string }>(sql`SELECT status, error FROM job_runs WHERE job = 'report-daily' ORDER BY id DESC`);
      assert.equal(runs[0]!.status, 'failed');
      assert.match(runs[0]!.error, /report_summary_pivots\[1\]/);
    });

    it('asking for a day without summaries says which command makes them', async () => {
      const error = await buildReport(fixtureContext(store), reportSettings(join(dir, 'reports')), { kind: 'daily', period: { ...DAY, label: '2026-04-20', start: DAY.start - 86_400, end: DAY.start } }).catch((e: unknown) => e);
      assert.ok(error instanceof VctpError && error.code === 'usage');
      assert.match(error.message, /no daily summaries for 2026-04-20: run `vctp aggregate daily --date 2026-04-20` first/);
    });
  });
}
