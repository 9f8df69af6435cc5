// The read API over HTTP (app.request, no socket) on both databases: every endpoint answers the
// numbers in the database in the shape `--json` prints (the queries' results through toJsonShape),
// bad parameters are 400 naming the field, unknown VMs and report files 404, and no request reaches
// a file outside reports_dir.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { z } from '@hono/zod-openapi';
import { readDailyCreation } from '../../src/queries/daily-creation.js';
import { toJsonShape } from '../../src/queries/json-shape.js';
import { readMissedSnapshots } from '../../src/queries/missed-snapshots.js';
import { readStatus } from '../../src/queries/status.js';
import { readTotals } from '../../src/queries/totals.js';
import { traceVm } from '../../src/queries/trace.js';
import * as diagnostics from '../../src/server/routes/diagnostics.js';
import * as reports from '../../src/server/routes/reports.js';
import * as snapshots from '../../src/server/routes/snapshots.js';
import * as vcenters from '../../src/server/routes/vcenters.js';
import * as vms from '../../src/server/routes/vms.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { testContext } from '../helpers/context.js';
import { D1, D2, D3, H, NOW_MS, seedReadApiData, SNAPSHOTS, UUID1, writeDailyReport } from '../helpers/read-api-data.js';
import { serverForTest, type TestServer } from '../helpers/server.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface ErrorBody {
  error: { status: number; code: string; message: string; field?: string };
}

for (const engine of ENGINES) {
  describe(`read API over HTTP (${engine})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let dir: string;
    const get = (path: string) => server.app.request(path);
    const json = async (path: string): Promise<Record<string, any>> => {
      const response = await get(path);
      assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      return (await response.json()) as Record<string, any>;
    };
    const refused = async (path: string, status: number, field?: string): Promise<ErrorBody['error']> => {
      const response = await get(path);
      const body = (await response.json()) as ErrorBody;
      assert.equal(response.status, status, `${path}: ${JSON.stringify(body)}`);
      assert.equal(body.error.status, status);
      if (field !== undefined) assert.equal(body.error.field, field, `${path}: ${body.error.message}`);
      return body.error;
    };
    const ctx = () => server.ctx;

    before(async () => {
      db = await createTestDatabase(engine);
      const seeding = await db.open();
      try {
        await seedReadApiData(testContext(seeding, NOW_MS));
      } finally {
        await seeding.close();
      }
      dir = mkdtempSync(join(tmpdir(), 'vctp-read-api-'));
      const settings = { vcenter_addresses: ['https://vc1/sdk', 'https://vc3/sdk'], reports_dir: join(dir, 'reports') };
      server = await serverForTest({ db, now: NOW_MS, settings });
      await writeDailyReport(ctx(), server.settings.reports_dir);
    });
    after(async () => {
      await server?.close();
      await db?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describe('GET /api/vcenters', () => {
      it('lists every vCenter with its latest totals, as status does', async () => {
        const body = await json('/api/vcenters');
        const status = await readStatus(ctx(), server.settings);
        assert.deepEqual(body, toJsonShape({ missedSnapshotDays: status.missedSnapshotDays, vcenters: status.vcenters, running: status.running }));
        assert.deepEqual(body.running, []);
        assert.deepEqual(
          body.vcenters.map((v: any) => [v.vcenter, v.configured, v.latestSnapshotIso, v.totals?.vmCount ?? null]),
          [
            ['vc1', true, '2026-04-21T11:00:00Z', 3],
            ['vc2', false, '2026-04-21T11:00:00Z', 1],
            ['vc3', true, null, null],
          ],
        );
      });
    });

    describe('GET /api/vcenters/totals', () => {
      it('daily by default, over 45 days, as vctp totals --json', async () => {
        const body = await json('/api/vcenters/totals');
        assert.deepEqual(body, toJsonShape(await readTotals(ctx(), { view: 'daily', days: 45 })));
        assert.deepEqual(body.rows.map((r: any) => [r.vcenter, r.period, r.samples]), [
          ['vc1', '2026-04-19', { expected: 24, present: 24, missing: 0 }],
          ['vc1', '2026-04-20', { expected: 24, present: 21, missing: 3 }],
          ['vc1', '2026-04-21', { expected: 24, present: 12, missing: 12 }],
        ]);
        assert.equal(body.rows[0].timeIso, '2026-04-19T00:00:00Z');
      });

      it('hourly and monthly rows, for the vCenters asked (repeated or comma-separated)', async () => {
        const hourly = await json('/api/vcenters/totals?view=hourly&days=1&vcenter=vc1');
        assert.deepEqual(hourly, toJsonShape(await readTotals(ctx(), { view: 'hourly', days: 1, vcenters: ['vc1'] })));
        assert.deepEqual(hourly.rows.map((r: any) => r.time), SNAPSHOTS.filter((t) => t >= D2 + 12 * H));
        const both = await json('/api/vcenters/totals?view=hourly&days=1&vcenter=vc1&vcenter=vc2');
        assert.deepEqual(await json('/api/vcenters/totals?view=hourly&days=1&vcenter=vc1,vc2'), both);
        assert.deepEqual([...new Set(both.rows.map((r: any) => r.vcenter))], ['vc1', 'vc2']);
        const monthly = await json('/api/vcenters/totals?view=monthly');
        assert.deepEqual(monthly.rows.map((r: any) => [r.vcenter, r.period, r.samples]), [['vc1', '2026-04', { expected: 720, present: 57, missing: 663 }]]);
      });

      it('refuses a view it does not know, days out of range (hourly: more than 45) and an unknown vCenter', async () => {
        assert.match((await refused('/api/vcenters/totals?view=weekly', 400, 'query.view')).message, /query\.view: expected one of hourly, daily, monthly/);
        await refused('/api/vcenters/totals?days=0', 400, 'query.days');
        await refused('/api/vcenters/totals?days=abc', 400, 'query.days');
        await refused('/api/vcenters/totals?days=1.5', 400, 'query.days');
        assert.match((await refused('/api/vcenters/totals?view=hourly&days=46', 400, 'query.days')).message, /<= 45/);
        await json('/api/vcenters/totals?view=daily&days=400');
        assert.match((await refused('/api/vcenters/totals?vcenter=vc9', 400)).message, /vc9: no snapshots of such a vCenter/);
      });
    });

    describe('GET /api/vm/trace', () => {
      it('traces a VM hourly with the CLI\'s default window and shape', async () => {
        const body = await json('/api/vm/trace?vm=web01&vcenter=vc1');
        const expected = await traceVm(ctx(), { vm: 'web01', view: 'hourly', from: D3 + 12 * H - 7 * 86_400, to: D3 + 12 * H, vcenter: 'vc1' });
        assert.deepEqual(body, toJsonShape(expected));
        const vm = body.vms[0];
        assert.deepEqual([vm.vcenter, vm.vmId, vm.matchedBy, vm.lifecycle.present, vm.lifecycle.lastSeenIso], ['vc1', 'vm-1', ['name'], true, '2026-04-21T11:00:00Z']);
        assert.equal(vm.hourly.length, SNAPSHOTS.length);
        assert.equal(vm.hourly.at(-1).tier, 'Gold');
      });

      it('takes from/to as days, ISO times or unix seconds, and the daily view', async () => {
        const byDay = await json('/api/vm/trace?vm=web01&vcenter=vc1&from=2026-04-20&to=2026-04-20');
        const byIso = await json(`/api/vm/trace?vm=web01&vcenter=vc1&from=2026-04-20T00:00:00Z&to=${D3 - 1}`);
        assert.deepEqual(byIso, byDay);
        assert.deepEqual([byDay.from, byDay.to], [D2, D3 - 1]);
        assert.equal(byDay.vms[0].hourly.length, 21);
        const daily = await json(`/api/vm/trace?vm=${UUID1}&view=daily&from=2026-04-19&to=2026-04-20`);
        assert.deepEqual(daily.vms[0].daily.map((d: any) => [d.day, d.samplesPresent, d.totalSamples, d.missedSamples]), [
          ['2026-04-19', 24, 24, 0],
          ['2026-04-20', 21, 21, 3],
        ]);
        assert.deepEqual(daily.vms[0].matchedBy, ['uuid']);
      });

      it('404 for an unknown VM; 400 naming the field for a missing vm, a bad view or time, from after to', async () => {
        const unknown = await refused('/api/vm/trace?vm=no-such-vm', 404);
        assert.equal(unknown.code, 'not-found');
        assert.match(unknown.message, /unknown VM "no-such-vm"/);
        await refused('/api/vm/trace', 400, 'query.vm');
        await refused('/api/vm/trace?vm=web01&view=weekly', 400, 'query.view');
        assert.match((await refused('/api/vm/trace?vm=web01&from=yesterday', 400, 'query.from')).message, /expected unix seconds or an ISO 8601 time/);
        await refused('/api/vm/trace?vm=web01&to=2026-02-30', 400, 'query.to');
        assert.match((await refused(`/api/vm/trace?vm=web01&from=${D2}&to=${D1}`, 400)).message, /is after/);
      });
    });

    describe('GET /api/vm/search', () => {
      it('finds VMs by the start of a name, any case, one row each with the latest state', async () => {
        const body = await json('/api/vm/search?q=wEB0');
        assert.equal(body.match, 'prefix');
        assert.deepEqual(body.vms.map((v: any) => [v.vcenter, v.vmId, v.name, v.tier, v.vcpuCount, v.present, v.matchedBy]), [
          ['vc1', 'vm-1', 'web01', 'Gold', 4, true, ['name']],
          ['vc2', 'vm-1', 'WEB01', 'Silver', 2, true, ['name']],
        ]);
        assert.equal(body.vms[1].creationTime, null);
        assert.equal(body.vms[1].creationTimeIso, null);
        assert.equal(body.vms[0].firstSeenIso, '2026-04-19T00:00:00Z');
        assert.equal(body.truncated, false);
      });

      it('by any part of a name with match=contains', async () => {
        assert.deepEqual((await json('/api/vm/search?q=EB0')).vms, []);
        const body = await json('/api/vm/search?q=EB0&match=contains');
        assert.equal(body.match, 'contains');
        assert.deepEqual(body.vms.map((v: any) => [v.vcenter, v.name, v.matchedBy]), [
          ['vc1', 'web01', ['name']],
          ['vc2', 'WEB01', ['name']],
        ]);
      });

      it('by managed object id or uuid; a gone VM with its last snapshot; the limit', async () => {
        assert.deepEqual((await json(`/api/vm/search?q=${UUID1.toUpperCase()}`)).vms.map((v: any) => [v.vmId, v.matchedBy]), [['vm-1', ['uuid']]]);
        assert.deepEqual((await json('/api/vm/search?q=vm-4')).vms.map((v: any) => [v.vcenter, v.name]), [['vc1', 'app04']]);
        const gone = (await json('/api/vm/search?q=old05')).vms[0];
        // Gone from the 13:00 snapshot: its deletion time is that snapshot's (no event said otherwise).
        assert.deepEqual([gone.present, gone.lastSeenIso, gone.deletionTimeIso], [false, '2026-04-20T12:00:00Z', '2026-04-20T13:00:00Z']);
        const limited = await json('/api/vm/search?q=0&limit=2&match=contains');
        assert.deepEqual([limited.vms.length, limited.truncated, limited.limit], [2, true, 2]);
      });

      it('400 naming q or limit', async () => {
        await refused('/api/vm/search', 400, 'query.q');
        await refused('/api/vm/search?q=', 400, 'query.q');
        await refused('/api/vm/search?q=%20%20', 400, 'query.q');
        await refused(`/api/vm/search?q=${'x'.repeat(201)}`, 400, 'query.q');
        await refused('/api/vm/search?q=web&limit=0', 400, 'query.limit');
        await refused('/api/vm/search?q=web&limit=501', 400, 'query.limit');
        await refused('/api/vm/search?q=web&match=regex', 400, 'query.match');
      });
    });

    describe('GET /api/snapshots', () => {
      it('registry rows newest first, filtered by vCenter, kind and time', async () => {
        const body = await json('/api/snapshots?vcenter=vc1&kind=hourly&limit=5000');
        assert.deepEqual(body.snapshots.map((s: any) => s.snapshotTime), [...SNAPSHOTS].reverse());
        assert.equal(body.snapshots[0].snapshotTimeIso, '2026-04-21T11:00:00Z');
        assert.equal(typeof body.snapshots[0].registeredAtIso, 'string');
        const daily = await json('/api/snapshots?vcenter=vc1&kind=daily&from=2026-04-19&to=2026-04-20');
        assert.deepEqual(daily.snapshots.map((s: any) => [s.snapshotTimeIso, s.rows, s.expectedSamples, s.totalSamples]), [
          ['2026-04-20T00:00:00Z', 4, 24, 21],
          ['2026-04-19T00:00:00Z', 3, 24, 24],
        ]);
        const two = await json('/api/snapshots?kind=daily&kind=monthly&limit=2');
        assert.deepEqual([two.snapshots.length, two.truncated], [2, true]);
        const all = await json('/api/snapshots');
        assert.deepEqual([all.limit, all.truncated, all.snapshots.length], [200, false, (await json('/api/snapshots?limit=5000')).snapshots.length]);
        assert.equal(all.snapshots.filter((s: any) => s.kind === 'hourly').length, 2 * SNAPSHOTS.length);
      });

      it('400 naming the field for a bad kind, limit or time', async () => {
        await refused('/api/snapshots?kind=weekly', 400, 'query.kind');
        await refused('/api/snapshots?limit=5001', 400, 'query.limit');
        await refused('/api/snapshots?from=soon', 400, 'query.from');
      });
    });

    describe('GET /api/snapshots/missed', () => {
      it('per vCenter over the default week, and over the days asked', async () => {
        const week = await json('/api/snapshots/missed');
        assert.deepEqual(week, toJsonShape(await readMissedSnapshots(ctx(), server.settings, 7)));
        assert.deepEqual(week.vcenters.map((v: any) => [v.vcenter, v.missing, v.days.map((d: any) => [d.day, d.missing, d.source])]), [
          ['vc1', 3, [['2026-04-20', 3, 'summary']]],
          ['vc2', 3, [['2026-04-20', 3, 'snapshots']]],
          ['vc3', 0, []],
        ]);
        const oneDay = await json('/api/snapshots/missed?days=1');
        assert.deepEqual([oneDay.days, oneDay.vcenters[0].from, oneDay.vcenters[0].to], [1, '2026-04-20', '2026-04-20']);
      });

      it('400 naming query.days', async () => {
        await refused('/api/snapshots/missed?days=0', 400, 'query.days');
        await refused('/api/snapshots/missed?days=91', 400, 'query.days');
      });
    });

    describe('GET /api/diagnostics/daily-creation', () => {
      it('VMs per vCenter and day with and without a creation time', async () => {
        const body = await json('/api/diagnostics/daily-creation?days=3');
        assert.deepEqual(body, toJsonShape(await readDailyCreation(ctx(), 3)));
        const vc1 = body.vcenters.find((v: any) => v.vcenter === 'vc1');
        assert.deepEqual(vc1.days.map((d: any) => [d.day, d.snapshots, d.vms, d.withCreationTime, d.withoutCreationTime, d.createdThatDay]), [
          ['2026-04-19', 24, 3, 2, 1, 0],
          ['2026-04-20', 21, 4, 3, 1, 1],
          ['2026-04-21', 12, 3, 3, 0, 0],
        ]);
        assert.equal((await json('/api/diagnostics/daily-creation')).vcenters[0].days.length, 30);
      });

      it('400 naming query.days', async () => {
        await refused('/api/diagnostics/daily-creation?days=0', 400, 'query.days');
        await refused('/api/diagnostics/daily-creation?days=367', 400, 'query.days');
      });
    });

    describe('response schemas', () => {
      it('describe the answers exactly: parsing an answer with its schema keeps every field and changes none', async () => {
        const answers: [string, { response: z.ZodType }][] = [
          ['/api/vcenters', vcenters.listVcenters],
          ['/api/vcenters/totals', vcenters.vcenterTotals],
          ['/api/vcenters/totals?view=hourly&days=1', vcenters.vcenterTotals],
          ['/api/vm/trace?vm=web01', vms.traceVm],
          ['/api/vm/trace?vm=web01&view=daily', vms.traceVm],
          ['/api/vm/trace?vm=old05', vms.traceVm],
          ['/api/vm/search?q=0', vms.searchVms],
          ['/api/snapshots?limit=5000', snapshots.listSnapshots],
          ['/api/snapshots/missed', snapshots.missedSnapshots],
          ['/api/diagnostics/daily-creation?days=3', diagnostics.dailyCreation],
          ['/api/report/list', reports.listReports],
        ];
        for (const [path, op] of answers) {
          const body = await json(path);
          // zod drops keys a schema does not name, so an answer equal to its parse has none undocumented.
          const parsed = op.response.safeParse(body);
          assert.ok(parsed.success, `${path}: ${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
          assert.deepEqual(parsed.data, body, path);
        }
      });
    });

    describe('reports', () => {
      const reportsDir = () => server.settings.reports_dir;

      it('lists the workbooks, by kind', async () => {
        const body = await json('/api/report/list');
        assert.deepEqual(body.reports.map((r: any) => [r.kind, r.file, r.period, r.vcenters, r.download]), [
          ['daily', '2026-04-20.xlsx', '2026-04-20', null, '/api/report/download/daily/2026-04-20.xlsx'],
        ]);
        assert.equal(body.reports[0].size, readFileSync(join(reportsDir(), 'daily', '2026-04-20.xlsx')).length);
        assert.match(body.reports[0].modifiedAtIso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.deepEqual((await json('/api/report/list?kind=monthly')).reports, []);
        await refused('/api/report/list?kind=weekly', 400, 'query.kind');
      });

      it('downloads a workbook as an XLSX attachment, byte for byte', async () => {
        const response = await get('/api/report/download/daily/2026-04-20.xlsx');
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), XLSX);
        assert.equal(response.headers.get('content-disposition'), 'attachment; filename="2026-04-20.xlsx"');
        const bytes = Buffer.from(await response.arrayBuffer());
        assert.ok(bytes.equals(readFileSync(join(reportsDir(), 'daily', '2026-04-20.xlsx'))));
        assert.equal(response.headers.get('content-length'), String(bytes.length));
      });

      it('404 for a report that does not exist; 400 for a kind or a name that is no report', async () => {
        assert.equal((await refused('/api/report/download/daily/2026-04-01.xlsx', 404)).code, 'not-found');
        await refused('/api/report/download/hourly/2026-04-20.xlsx', 404);
        await refused('/api/report/download/weekly/2026-04-20.xlsx', 400, 'param.kind');
        await refused('/api/report/download/daily/report.csv', 400);
      });

      it('never serves a file outside reports_dir: .., encoded slashes, symlinks, a kind directory linked out', async () => {
        const secret = join(dir, 'secret.xlsx');
        writeFileSync(secret, 'not a report');
        for (const name of ['..%2F..%2Fsecret.xlsx', '%2E%2E%2Fsecret.xlsx', '..%5Csecret.xlsx', '.hidden.xlsx', '%2Fetc%2Fpasswd']) {
          const response = await get(`/api/report/download/daily/${name}`);
          assert.ok([400, 404].includes(response.status), `${name}: ${response.status}`);
          assert.notEqual(response.headers.get('content-type'), XLSX);
        }
        // Normalised by the URL parser into another path: no route.
        assert.equal((await get('/api/report/download/daily/../../secret.xlsx')).status, 404);
        symlinkSync(secret, join(reportsDir(), 'daily', 'link.xlsx'));
        await refused('/api/report/download/daily/link.xlsx', 404);
        mkdirSync(join(dir, 'elsewhere'));
        writeFileSync(join(dir, 'elsewhere', '2026-04.xlsx'), 'not a report');
        symlinkSync(join(dir, 'elsewhere'), join(reportsDir(), 'monthly'));
        await refused('/api/report/download/monthly/2026-04.xlsx', 404);
        assert.deepEqual((await json('/api/report/list')).reports.map((r: any) => r.file), ['2026-04-20.xlsx']);
      });
    });
  });
}
