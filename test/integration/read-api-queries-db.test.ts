// The read API's queries on both databases, before HTTP: VM search, the snapshot registry, missed
// snapshots over a chosen window, VMs per day with and without a creation time, report files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VctpError } from '../../src/core/errors.js';
import { readDailyCreation } from '../../src/queries/daily-creation.js';
import { readMissedSnapshots } from '../../src/queries/missed-snapshots.js';
import { listReportFiles, openReportFile } from '../../src/queries/report-files.js';
import { listSnapshots } from '../../src/queries/snapshot-registry.js';
import { readStatus } from '../../src/queries/status.js';
import { traceVm } from '../../src/queries/trace.js';
import { searchVms } from '../../src/queries/vm-search.js';
import { sql, type SQL } from 'drizzle-orm';
import type { Store } from '../../src/store/executor.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { D1, D2, D3, DAY, H, IUUID1, NOW_MS, seedReadApiData, SNAPSHOTS, UUID1, writeDailyReport } from '../helpers/read-api-data.js';

const isUsage = (pattern: RegExp) => (e: Error) => e instanceof VctpError && e.code === 'usage' && pattern.test(e.message);
const isNotFound = (e: Error) => e instanceof VctpError && e.code === 'not-found';

for (const engine of ENGINES) {
  describe(`read API queries (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    let dir: string;
    const ctx = () => testContext(store, NOW_MS);

    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      await seedReadApiData(ctx());
      dir = mkdtempSync(join(tmpdir(), 'vctp-read-api-'));
      await writeDailyReport(ctx(), join(dir, 'reports'));
    });
    after(async () => {
      await store?.close();
      await db?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describe('VM search', () => {
      it('finds VMs whose name starts with the text in any case, one row per VM with its latest state', async () => {
        const result = await searchVms(ctx(), { q: 'wEB0', limit: 50 });
        assert.equal(result.match, 'prefix');
        assert.deepEqual(result.vms.map((v) => [v.vcenter, v.vmId, v.name, v.matchedBy]), [
          ['vc1', 'vm-1', 'web01', ['name']],
          ['vc2', 'vm-1', 'WEB01', ['name']],
        ]);
        const web01 = result.vms[0]!;
        assert.deepEqual([web01.vcpuCount, web01.tier, web01.resourcePool, web01.vmUuid, web01.instanceUuid], [4, 'gold', 'Gold', UUID1, IUUID1]);
        assert.deepEqual([web01.firstSeen, web01.lastSeen, web01.present, web01.creationTime], [D1, D3 + 11 * H, true, D1 - DAY]);
        assert.equal(result.truncated, false);
      });

      it('matches a name prefix by default, a substring with match contains', async () => {
        const names = async (q: string, match?: 'prefix' | 'contains') => (await searchVms(ctx(), { q, limit: 50, match })).vms.map((v) => `${v.vcenter}/${v.name}`);
        assert.deepEqual(await names('EB0'), []);
        assert.deepEqual(await names('EB0', 'contains'), ['vc1/web01', 'vc2/WEB01']);
        assert.deepEqual(await names('web01'), ['vc1/web01', 'vc2/WEB01']);
        assert.deepEqual(await names('web011'), []);
        assert.deepEqual(await names('A'), ['vc1/app04']);
        assert.deepEqual(await names('04', 'contains'), ['vc1/app04']);
        // A prefix is a range of lower(name): its end must not take in names that merely sort after it.
        assert.deepEqual(await names('we'), ['vc1/web01', 'vc2/WEB01']);
        assert.deepEqual(await names('wf'), []);
        assert.deepEqual(await names('%'), []);
        assert.deepEqual(await names('_', 'contains'), []);
        await assert.rejects(searchVms(ctx(), { q: 'web', limit: 5, match: 'regex' as 'prefix' }), isUsage(/match regex/));
      });

      it('looks up uuids only for a uuid-shaped text, and no part of one', async () => {
        const q = async (text: string) => (await searchVms(ctx(), { q: text, limit: 50, match: 'contains' })).vms.map((v) => [v.vmId, v.matchedBy]);
        assert.deepEqual(await q(UUID1), [['vm-1', ['uuid']]]);
        assert.deepEqual(await q(UUID1.replaceAll('-', '')), []);
        assert.deepEqual(await q(UUID1.slice(0, 8)), []);
        const traced = await traceVm(ctx(), { vm: IUUID1.toUpperCase(), view: 'daily', from: D1, to: D3 });
        assert.deepEqual(traced.vms.map((v) => [v.vcenter, v.vmId, v.matchedBy]), [['vc1', 'vm-1', ['uuid']]]);
        await assert.rejects(traceVm(ctx(), { vm: UUID1.slice(0, 23), view: 'daily', from: D1, to: D3 }), isNotFound);
      });

      it('traces daily rows of the window only, by a name in any case', async () => {
        const traced = await traceVm(ctx(), { vm: 'WEB01', view: 'daily', from: D2 + 3 * H, to: D2 + 20 * H, vcenter: 'vc1' });
        assert.deepEqual(traced.vms.map((v) => [v.vmId, v.matchedBy, v.daily!.map((d) => d.time)]), [['vm-1', ['name'], [D2]]]);
        const all = await traceVm(ctx(), { vm: 'web01', view: 'daily', from: D1 - 5 * DAY, to: D3 + 5 * DAY, vcenter: 'vc1' });
        assert.deepEqual(all.vms[0]!.daily!.map((d) => d.time), [D1, D2, D3]);
        const gone = await traceVm(ctx(), { vm: 'old05', view: 'daily', from: D1 - 5 * DAY, to: D3 + 5 * DAY });
        assert.deepEqual(gone.vms[0]!.daily!.map((d) => d.time), [D1, D2]);
      });

      if (engine === 'sqlite') {
        it('finds names and their prefixes by the index on lower(name), a VM\'s spans by lifecycle_id', async () => {
          const statements: SQL[] = [];
          const spy = new Proxy(store, {
            get: (target, key) => (key === 'all' ? (q: SQL) => (statements.push(q), target.all(q)) : Reflect.get(target, key)),
          });
          const spied = { ...ctx(), store: spy };
          await searchVms(spied, { q: 'web', limit: 50 });
          await traceVm(spied, { vm: 'web01', view: 'hourly', from: D1, to: D3 });
          const plans: string[] = [];
          for (const q of statements) {
            const rows = await store.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${q}`);
            plans.push(rows.map((r) => r.detail).join('\n'));
          }
          const all = plans.join('\n');
          assert.match(all, /SEARCH vm_spans USING INDEX vm_spans_name_lower \(<expr>>\? AND <expr><\?\)/, all);
          assert.match(all, /SEARCH vm_spans USING INDEX vm_spans_name_lower \(<expr>=\?\)/, all);
          assert.match(all, /USING INDEX vm_spans_lifecycle \(lifecycle_id=\?\)/, all);
          assert.doesNotMatch(all, /SCAN vm_spans\b/, all);
        });
      }

      it('puts exact managed object id and uuid matches first', async () => {
        const byId = await searchVms(ctx(), { q: 'vm-4', limit: 50 });
        assert.deepEqual(byId.vms.map((v) => [v.vcenter, v.vmId, v.name, v.matchedBy]), [['vc1', 'vm-4', 'app04', ['vm_id']]]);
        for (const q of [UUID1.toUpperCase(), IUUID1]) {
          const byUuid = await searchVms(ctx(), { q, limit: 50 });
          assert.deepEqual(byUuid.vms.map((v) => [v.vcenter, v.vmId, v.matchedBy]), [['vc1', 'vm-1', ['uuid']]], q);
        }
        const both = await searchVms(ctx(), { q: 'vm-1', limit: 50 });
        assert.deepEqual(both.vms.map((v) => [v.vcenter, v.vmId, v.matchedBy]), [
          ['vc1', 'vm-1', ['vm_id']],
          ['vc2', 'vm-1', ['vm_id']],
        ]);
      });

      it('lists a VM that is gone with its last snapshot', async () => {
        const result = await searchVms(ctx(), { q: 'old', limit: 50 });
        assert.deepEqual(result.vms.map((v) => [v.vmId, v.present, v.lastSeen, v.creationTime]), [['vm-5', false, D2 + 12 * H, 0]]);
      });

      it('stops at the limit and says more matched', async () => {
        const result = await searchVms(ctx(), { q: '0', limit: 2, match: 'contains' });
        assert.equal(result.vms.length, 2);
        assert.equal(result.truncated, true);
        assert.deepEqual((await searchVms(ctx(), { q: '0', limit: 500, match: 'contains' })).vms.length, 5);
        assert.deepEqual((await searchVms(ctx(), { q: 'nothing-like-this', limit: 5 })).vms, []);
      });

      it('refuses an empty or overlong text and a bad limit', async () => {
        await assert.rejects(searchVms(ctx(), { q: '  ', limit: 5 }), isUsage(/q: expected 1 to 200/));
        await assert.rejects(searchVms(ctx(), { q: 'x'.repeat(201), limit: 5 }), isUsage(/q: expected 1 to 200/));
        await assert.rejects(searchVms(ctx(), { q: 'web', limit: 501 }), isUsage(/limit 501/));
      });
    });

    describe('snapshot registry', () => {
      it('lists rows newest first, filtered by vCenter, kind and time', async () => {
        const hourly = await listSnapshots(ctx(), { vcenters: ['vc1'], kinds: ['hourly'], limit: 5000 });
        assert.deepEqual(hourly.snapshots.map((s) => s.snapshotTime), [...SNAPSHOTS].reverse());
        assert.ok(hourly.snapshots.every((s) => s.vcenter === 'vc1' && s.kind === 'hourly' && s.expectedSamples === null));
        assert.deepEqual(hourly.snapshots.at(-1)!.rows, 3);
        const daily = await listSnapshots(ctx(), { vcenters: ['vc1'], kinds: ['daily'], limit: 10 });
        assert.deepEqual(daily.snapshots.map((s) => [s.snapshotTime, s.rows, s.expectedSamples, s.totalSamples]).slice(-2), [
          [D2, 4, 24, 21],
          [D1, 3, 24, 24],
        ]);
        const window = await listSnapshots(ctx(), { kinds: ['hourly'], from: D2 + 8 * H, to: D2 + 9 * H, limit: 10 });
        assert.deepEqual(window.snapshots.map((s) => [s.vcenter, s.snapshotTime]), [
          ['vc1', D2 + 9 * H],
          ['vc2', D2 + 9 * H],
          ['vc1', D2 + 8 * H],
          ['vc2', D2 + 8 * H],
        ]);
      });

      it('stops at the limit and says more matched; refuses an unknown vCenter and from after to', async () => {
        const limited = await listSnapshots(ctx(), { limit: 3 });
        assert.deepEqual([limited.snapshots.length, limited.truncated], [3, true]);
        await assert.rejects(listSnapshots(ctx(), { vcenters: ['vc9'], limit: 3 }), isUsage(/vcenter vc9: no snapshots.*known: vc1, vc2/));
        await assert.rejects(listSnapshots(ctx(), { from: D2, to: D1, limit: 3 }), isUsage(/is after/));
      });
    });

    describe('missed snapshots', () => {
      const settings = { vcenter_addresses: ['https://vc1/sdk', 'https://vc3/sdk'], vcenter_inventory_snapshot_seconds: 3600 };

      it('over the default week: what status shows', async () => {
        const report = await readMissedSnapshots(ctx(), settings, 7);
        const status = await readStatus(ctx(), settings);
        assert.deepEqual(
          report.vcenters.map(({ vcenter, configured, ...missed }) => ({ vcenter, configured, missed })),
          status.vcenters.map((v) => ({ vcenter: v.vcenter, configured: v.configured, missed: v.missedSnapshots })),
        );
        assert.deepEqual(report.vcenters.map((v) => [v.vcenter, v.configured, v.missing, v.days.map((d) => [d.day, d.missing, d.source])]), [
          ['vc1', true, 3, [['2026-04-20', 3, 'summary']]],
          ['vc2', false, 3, [['2026-04-20', 3, 'snapshots']]],
          ['vc3', true, 0, []],
        ]);
      });

      it('over one day: only yesterday; refuses 0 and more than 90 days', async () => {
        const report = await readMissedSnapshots(ctx(), settings, 1);
        assert.deepEqual([report.vcenters[0]!.from, report.vcenters[0]!.to, report.vcenters[0]!.missing], ['2026-04-20', '2026-04-20', 3]);
        await assert.rejects(readMissedSnapshots(ctx(), settings, 0), isUsage(/days 0/));
        await assert.rejects(readMissedSnapshots(ctx(), settings, 91), isUsage(/days 91: expected a whole number from 1 to 90/));
      });
    });

    describe('daily creation', () => {
      it('counts per vCenter and day the VMs seen, with and without a creation time', async () => {
        const report = await readDailyCreation(ctx(), 4);
        assert.deepEqual([report.from, report.to], ['2026-04-18', '2026-04-21']);
        const rows = (vcenter: string) =>
          report.vcenters.find((v) => v.vcenter === vcenter)!.days.map((d) => [d.day, d.snapshots, d.vms, d.withCreationTime, d.withoutCreationTime, d.createdThatDay]);
        assert.deepEqual(rows('vc1'), [
          ['2026-04-18', 0, 0, 0, 0, 0],
          ['2026-04-19', 24, 3, 2, 1, 0],
          ['2026-04-20', 21, 4, 3, 1, 1],
          ['2026-04-21', 12, 3, 3, 0, 0],
        ]);
        assert.deepEqual(rows('vc2'), [
          ['2026-04-18', 0, 0, 0, 0, 0],
          ['2026-04-19', 24, 1, 0, 1, 0],
          ['2026-04-20', 21, 1, 0, 1, 0],
          ['2026-04-21', 12, 1, 0, 1, 0],
        ]);
        assert.equal(report.vcenters[0]!.days[1]!.time, D1);
      });

      it('refuses 0 and more than 366 days', async () => {
        await assert.rejects(readDailyCreation(ctx(), 0), isUsage(/days 0/));
        await assert.rejects(readDailyCreation(ctx(), 367), isUsage(/days 367/));
      });
    });

    describe('report files', () => {
      const reports = () => join(dir, 'reports');

      it('lists the workbooks the report job wrote, and serves their bytes', async () => {
        const files = await listReportFiles(reports());
        assert.deepEqual(files.map((f) => [f.kind, f.file, f.period, f.vcenters, f.download]), [
          ['daily', '2026-04-20.xlsx', '2026-04-20', null, '/api/report/download/daily/2026-04-20.xlsx'],
        ]);
        const bytes = readFileSync(join(reports(), 'daily', '2026-04-20.xlsx'));
        assert.equal(files[0]!.size, bytes.length);
        const opened = await openReportFile(reports(), 'daily', '2026-04-20.xlsx');
        const served = Buffer.from(await new Response(opened.body as unknown as ReadableStream).arrayBuffer());
        assert.ok(served.equals(bytes));
        assert.deepEqual(await listReportFiles(reports(), ['monthly']), []);
      });

      it('refuses names that are no report file name, symlinks and a kind directory linked elsewhere', async () => {
        for (const name of ['../2026-04-20.xlsx', '..xlsx', 'a/b.xlsx', '.hidden.xlsx', 'report.pdf', '2026-04-20.xlsx/']) {
          await assert.rejects(openReportFile(reports(), 'daily', name), isUsage(/not a report file name/), name);
        }
        await assert.rejects(openReportFile(reports(), 'daily', 'nope.xlsx'), isNotFound);
        await assert.rejects(openReportFile(reports(), 'hourly', '2026-04-20.xlsx'), isNotFound);
        const outside = join(dir, 'secret.xlsx');
        writeFileSync(outside, 'not for download');
        symlinkSync(outside, join(reports(), 'daily', 'link.xlsx'));
        await assert.rejects(openReportFile(reports(), 'daily', 'link.xlsx'), isNotFound);
        mkdirSync(join(dir, 'elsewhere'));
        writeFileSync(join(dir, 'elsewhere', '2026-04.xlsx'), 'not a report');
        symlinkSync(join(dir, 'elsewhere'), join(reports(), 'monthly'));
        await assert.rejects(openReportFile(reports(), 'monthly', '2026-04.xlsx'), isNotFound);
        assert.deepEqual((await listReportFiles(reports())).map((f) => f.file), ['2026-04-20.xlsx']);
      });
    });
  });
}
