// The admin API on both databases through app.request(): each job endpoint changes the database as
// its CLI command would, answers 409 at once while another run holds the aggregation lock, and 400
// naming the field for a bad body; import-vm validates and audits; encrypt answers an enc:v1: value
// without logging the plaintext; the legacy endpoints are 410 by default and honest when enabled.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { TokenService } from '../../src/server/auth/tokens.js';
import { withJobLock } from '../../src/jobs/job-lock.js';
import type { RouteEntry } from '../../src/server/route-kinds.js';
import { ROUTES as ROUTE_TABLE } from '../../src/server/route-table.js';
import { vm } from '../helpers/builders.js';
import { createTestDatabase, ENGINES, type Engine, type TestDatabase } from '../helpers/db.js';
import { serverForTest, type TestServer } from '../helpers/server.js';
import { H, SETTINGS, utc } from './maintenance-fleet.js';

// The admin part of the route table (src/server/route-table.ts) itself.
const ROUTES: RouteEntry[] = ROUTE_TABLE.filter((r) => r.kind === 'api' && (r.access === 'admin' || r.legacy));
const LEGACY_PATHS = ['/api/event/vm/create', '/api/event/vm/modify', '/api/event/vm/move', '/api/event/vm/delete', '/api/cleanup/updates', '/api/cleanup/vcenter'];
assert.deepEqual(ROUTES.filter((r) => r.kind === 'api' && r.legacy).map((r) => r.kind === 'api' && r.path), LEGACY_PATHS);

const START = utc('2026-03-30T00:00:00Z');
const B_GONE = utc('2026-03-31T11:00:00Z');
const NOW = utc('2026-04-02T12:00:00Z');

/** vc1, hourly from 03-30 00:00 to 04-02 11:00: vm-a throughout (no creation time), vm-b until 03-31 10:00. */
async function seed(db: TestDatabase): Promise<void> {
  const { silentLogger } = await import('../../src/log/logger.js');
  const store = await db.open();
  try {
    for (let t = START; t < NOW; t += H) {
      const records = [vm('vm-a'), ...(t < B_GONE ? [vm('vm-b', { creationTime: utc('2026-03-01T00:00:00Z') })] : [])];
      await captureInventory({ store, log: silentLogger(), now: () => t * 1000 }, SETTINGS, { vcenter: 'vc1', snapshotTime: t, records });
    }
  } finally {
    await store.close();
  }
}

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field
}

for (const engine of ENGINES) {
  describe(`admin API (${engine})`, () => {
    let db: TestDatabase;
    let server: TestServer;
    let legacyOn: TestServer;
    let authed: TestServer;
    const signingKey = randomBytes(32).toString('base64');
    const tokenFor = async (username: string, role: 'viewer' | 'admin') =>
      (await new TokenService({ signingKeyBase64: signingKey, lifespanMinutes: 60, issuer: 'vctp', audience: 'vctp', clockSkewSeconds: 60 }, () => NOW * 1000).issue({ username, role, groups: [] })).token;

    const post = async (s: TestServer, path: string, body?: unknown): Promise<Answer> => {
      const res = await s.app.request(path, {
        method: 'POST',
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const count = async (query: ReturnType<typeof sql>) => Number((await server.store.all<{ n: number }>(query))[0]!.n);
    const runs = async (job: string) => (await server.store.all<{ status: string }>(sql`SELECT status FROM job_runs WHERE job = ${job} ORDER BY id`)).map((r) => r.status);
    const badField = (a: Answer, field: string) => {
      assert.equal(a.status, 400, JSON.stringify(a.body));
      assert.equal(a.body.error.code, 'usage');
      assert.equal(a.body.error.field, field, a.body.error.message);
      assert.ok(a.body.error.message.startsWith(field), a.body.error.message);
    };

    before(async () => {
      db = await createTestDatabase(engine as Engine);
      await seed(db);
      server = await serverForTest({ db, routes: ROUTES, now: NOW * 1000 });
      legacyOn = await serverForTest({ db, routes: ROUTES, now: NOW * 1000, settings: { enable_legacy_api: true } });
      // Auth required (tokens only: no login is made, so LDAP is never asked).
      authed = await serverForTest({
        db,
        routes: ROUTES,
        now: NOW * 1000,
        settings: {
          auth_enabled: true,
          auth_mode: 'required',
          auth_jwt_signing_key: signingKey,
          ldap_bind_address: 'ldaps://127.0.0.1:1',
          ldap_base_dn: 'dc=example,dc=com',
          auth_group_role_mappings: { 'cn=vctp-admins,dc=example,dc=com': 'admin' },
        },
      });
    });
    after(async () => {
      await server?.close();
      await legacyOn?.close();
      await authed?.close();
      await db?.drop();
    });

    it('aggregate writes the day’s summaries as `vctp aggregate daily` does, and the month’s', async () => {
      const daily = await post(server, '/api/snapshots/aggregate', { kind: 'daily', date: '2026-03-31' });
      assert.equal(daily.status, 200, JSON.stringify(daily.body));
      assert.equal(daily.body.skipped, false);
      assert.deepEqual(daily.body.outcomes.map((o: { vcenter: string; ok: boolean; rows: number; totalSamples: number }) => [o.vcenter, o.ok, o.rows, o.totalSamples]), [['vc1', true, 2, 24]]);
      assert.equal(await count(sql`SELECT COUNT(*) AS n FROM vm_daily_rollup WHERE day = ${utc('2026-03-31T00:00:00Z')}`), 2);
      assert.equal(await count(sql`SELECT COUNT(*) AS n FROM snapshot_registry WHERE kind = 'daily' AND snapshot_time = ${utc('2026-03-31T00:00:00Z')}`), 1);
      assert.deepEqual(await runs('aggregate-daily'), ['ok', 'ok']); // the vCenter's part and the whole run

      const monthly = await post(server, '/api/snapshots/aggregate', { kind: 'monthly', date: '2026-03', engine: 'sql' });
      assert.equal(monthly.status, 200, JSON.stringify(monthly.body));
      assert.equal(await count(sql`SELECT COUNT(*) AS n FROM vm_monthly_summary WHERE month = ${utc('2026-03-01T00:00:00Z')}`), 2);
    });

    it('aggregate refuses a period that has not ended unless partial, and bad bodies naming the field', async () => {
      badField(await post(server, '/api/snapshots/aggregate', { kind: 'daily', date: '2026-04-02' }), 'body.date');
      const partial = await post(server, '/api/snapshots/aggregate', { kind: 'daily', date: '2026-04-02', partial: true });
      assert.equal(partial.status, 200, JSON.stringify(partial.body));
      assert.equal(partial.body.outcomes[0].totalSamples, 12);
      badField(await post(server, '/api/snapshots/aggregate', { date: '2026-03-31' }), 'body.kind');
      badField(await post(server, '/api/snapshots/aggregate', { kind: 'daily', date: '2026-3-31' }), 'body.date');
      badField(await post(server, '/api/snapshots/aggregate', { kind: 'monthly', date: '2026-03-31' }), 'body.date');
      badField(await post(server, '/api/snapshots/aggregate', { kind: 'daily', date: '2026-02-30' }), 'body.date');
      badField(await post(server, '/api/snapshots/aggregate', { kind: 'daily', date: '2026-03-31', engine: 'go' }), 'body.engine');
      badField(await post(server, '/api/snapshots/aggregate', { kind: 'daily', date: '2026-03-31', vcenter: 'vc1' }), 'body.vcenter');
      const unknown = await post(server, '/api/snapshots/aggregate', { kind: 'daily', date: '2026-03-31', vcenter: ['nope'] });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /nope/);
    });

    it('repair and repair/all aggregate the missing days as `vctp repair` does; bad days are refused by field', async () => {
      badField(await post(server, '/api/snapshots/repair', { from: '2026-03-xx' }), 'body.from');
      badField(await post(server, '/api/snapshots/repair', { from: '2026-04-01', to: '2026-03-30' }), 'body.from');
      badField(await post(server, '/api/snapshots/repair', { to: '2026-02-31' }), 'body.to');
      const repaired = await post(server, '/api/snapshots/repair', { from: '2026-03-30', to: '2026-04-01' });
      assert.equal(repaired.status, 200, JSON.stringify(repaired.body));
      assert.deepEqual(
        repaired.body.actions.map((a: { kind: string; period: string; reason: string; result: string }) => [a.kind, a.period, a.reason, a.result]),
        // 03-31 was aggregated above, 03-30 by the monthly aggregation (which brings its days up to date first).
        [['daily', '2026-04-01', 'missing', 'ok']],
      );
      assert.equal(await count(sql`SELECT COUNT(*) AS n FROM snapshot_registry WHERE kind = 'daily'`), 4); // 03-30, 03-31, 04-01, and 04-02 (partial)
      const all = await post(server, '/api/snapshots/repair/all', {});
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.deepEqual(all.body.actions, []); // nothing left to repair
      assert.equal(all.body.from, '2026-03-30');
      assert.deepEqual((await runs('repair')).slice(-2), ['ok', 'ok']);
    });

    it('cache/rebuild rebuilds the totals caches as `vctp backfill` does', async () => {
      await server.store.run(sql`DELETE FROM vcenter_aggregate_totals`);
      await server.store.run(sql`DELETE FROM vcenter_latest_totals`);
      const rebuilt = await post(server, '/api/vcenters/cache/rebuild');
      assert.equal(rebuilt.status, 200, JSON.stringify(rebuilt.body));
      assert.deepEqual(rebuilt.body.outcomes.map((o: { vcenter: string; ok: boolean; hourly: number; daily: number; monthly: number }) => [o.vcenter, o.ok, o.hourly, o.daily, o.monthly]), [['vc1', true, 84, 4, 1]]);
      assert.equal(await count(sql`SELECT COUNT(*) AS n FROM vcenter_aggregate_totals WHERE kind = 'hourly'`), 84);
      assert.equal(await count(sql`SELECT COUNT(*) AS n FROM vcenter_latest_totals`), 1);
    });

    it('regenerate-hourly-reports rewrites the hourly reports of the range', async () => {
      badField(await post(server, '/api/snapshots/regenerate-hourly-reports', { from: 'yesterday' }), 'body.from');
      badField(await post(server, '/api/snapshots/regenerate-hourly-reports', { from: '2026-04-01T10:00:00Z', to: '2026-04-01T09:00:00Z' }), 'body.from');
      const written = await post(server, '/api/snapshots/regenerate-hourly-reports', { from: '2026-04-01T09:00:00Z', to: utc('2026-04-01T10:00:00Z') });
      assert.equal(written.status, 200, JSON.stringify(written.body));
      assert.equal(written.body.written.length, 2);
      for (const r of written.body.written as { path: string }[]) assert.ok(existsSync(r.path), r.path);
    });

    it('answers 409 at once, doing nothing, while another run holds the aggregation lock', async () => {
      const dailyBefore = await count(sql`SELECT COUNT(*) AS n FROM snapshot_registry WHERE kind = 'daily'`);
      const held = await withJobLock(server.ctx, 'aggregate', 0, async () => [
        await post(server, '/api/snapshots/aggregate', { kind: 'daily', date: '2026-03-31' }),
        await post(server, '/api/snapshots/repair', {}),
        await post(server, '/api/snapshots/repair/all', {}),
        await post(server, '/api/vcenters/cache/rebuild'),
        await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-a', creationTime: START, reason: 'ticket 1' }),
      ]);
      assert.ok(held.acquired);
      for (const answer of held.result) {
        assert.equal(answer.status, 409, JSON.stringify(answer.body));
        assert.equal(answer.body.error.code, 'lock');
        assert.match(answer.body.error.message, /holds the aggregate lock/);
      }
      assert.equal(await count(sql`SELECT COUNT(*) AS n FROM snapshot_registry WHERE kind = 'daily'`), dailyBefore);
      assert.equal(await count(sql`SELECT COUNT(*) AS n FROM vm_lifecycle_imports`), 0);
      for (const job of ['aggregate-daily', 'repair', 'backfill', 'import-vm']) assert.equal((await runs(job)).at(-1), 'skipped', job);
    });

    it('import/vm sets a creation time, audited in the table and the log; refuses what the snapshots contradict', async () => {
      badField(await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-a', creationTime: START + 1, reason: 'ticket 2' }), 'body.creationTime');
      badField(await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-a', deletionTime: START + H, reason: 'ticket 2' }), 'body.deletionTime');
      badField(await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-b', deletionTime: B_GONE + 1, reason: 'ticket 2' }), 'body.deletionTime');
      badField(await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-a', creationTime: 'last week', reason: 'ticket 2' }), 'body.creationTime');
      badField(await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-a', creationTime: START }), 'body.reason');
      badField(await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-a', creationTime: START, reason: '   ' }), 'body.reason');
      badField(await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-a', reason: 'ticket 2' }), 'body');
      const unknownVm = await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-404', creationTime: START, reason: 'ticket 2' });
      assert.equal(unknownVm.status, 404);
      assert.equal(unknownVm.body.error.code, 'not-found');
      assert.equal(await count(sql`SELECT COUNT(*) AS n FROM vm_lifecycle_imports`), 0);

      const created = utc('2026-02-14T09:30:00Z');
      const ok = await post(server, '/api/import/vm', { vcenter: 'vc1', vmId: 'vm-a', creationTime: '2026-02-14T09:30:00Z', reason: 'CHG-1234' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.changed, true);
      assert.deepEqual(ok.body.before, { creationTime: null, creationTimeIso: null, deletionTime: null, deletionTimeIso: null });
      assert.deepEqual(ok.body.after, { creationTime: created, creationTimeIso: '2026-02-14T09:30:00Z', deletionTime: null, deletionTimeIso: null });
      assert.equal(ok.body.audit.by, 'anonymous'); // auth disabled
      assert.equal(ok.body.audit.timeIso, '2026-04-02T12:00:00Z');
      assert.deepEqual(ok.body.staleDays, { first: '2026-03-30', last: '2026-04-02' });
      assert.equal(ok.body.repair, 'vctp repair --from 2026-03-30 --to 2026-04-02');
      const lifecycle = await server.store.all<{ creation_time: number }>(sql`SELECT creation_time FROM vm_lifecycle WHERE vm_id = 'vm-a'`);
      assert.equal(Number(lifecycle[0]!.creation_time), created);
      const audit = await server.store.all<Record<string, unknown>>(sql`SELECT imported_by, source, reason, old_creation_time, new_creation_time, imported_at FROM vm_lifecycle_imports`);
      assert.deepEqual(
        audit.map((r) => [r.imported_by, r.source, r.reason, Number(r.old_creation_time), Number(r.new_creation_time), Number(r.imported_at)]),
        [['anonymous', 'api', 'CHG-1234', 0, created, NOW]],
      );
      const logged = server.logLines().map((l) => JSON.parse(l)).find((l) => l.msg === 'VM lifecycle set by hand');
      assert.ok(logged, 'the audit is logged');
      assert.equal(logged.user, 'anonymous');
      assert.equal(logged.reason, 'CHG-1234');
      assert.deepEqual(logged.after, { creationTime: created, deletionTime: 0 });
      assert.deepEqual((await runs('import-vm')).at(-1), 'ok');
    });

    it('encrypt answers an enc:v1: value and never logs the plaintext', async () => {
      const plaintext = 'S3cret-vcenter-passw0rd';
      const answer = await post(server, '/api/encrypt', { value: plaintext });
      assert.equal(answer.status, 200);
      assert.match(answer.body.value, /^enc:v1:/);
      assert.ok(!answer.body.value.includes(plaintext));
      const short = await post(server, '/api/encrypt', { value: 'ab' });
      assert.equal(short.status, 400);
      assert.ok(!JSON.stringify(short.body).includes('"ab"'));
      badField(await post(server, '/api/encrypt', {}), 'body.value');
      assert.ok(!server.logLines().some((l) => l.includes(plaintext)));
    });

    it('legacy endpoints are 410 Gone while settings.enable_legacy_api is false', async () => {
      for (const path of LEGACY_PATHS) {
        const answer = await post(server, path, { vcenter: 'vc1', vmId: 'vm-b', creationTime: START });
        assert.equal(answer.status, 410, path);
        assert.equal(answer.body.error.code, 'gone');
      }
      assert.equal((await post(server, '/api/event/vm/create')).status, 410);
    });

    it('enabled, vm/create and vm/delete record a lifecycle fact through import-vm; the others answer 501 naming what replaces them', async () => {
      const created = await post(legacyOn, '/api/event/vm/create', { vcenter: 'vc1', vmId: 'vm-b', creationTime: utc('2026-02-01T00:00:00Z') });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.audit.source, '/api/event/vm/create');
      assert.equal(created.body.audit.reason, 'legacy event received on /api/event/vm/create');
      const deleted = await post(legacyOn, '/api/event/vm/delete', { vcenter: 'vc1', vmId: 'vm-b', deletionTime: B_GONE - 600, reason: 'VmRemovedEvent replayed' });
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
      assert.equal(deleted.body.after.deletionTime, B_GONE - 600);
      // A VM still present: the next snapshot without it records its deletion; nothing is recorded now.
      badField(await post(legacyOn, '/api/event/vm/delete', { vcenter: 'vc1', vmId: 'vm-a', deletionTime: NOW - 60 }), 'body.deletionTime');
      // Not yet in any snapshot: the next snapshot records it.
      assert.equal((await post(legacyOn, '/api/event/vm/create', { vcenter: 'vc1', vmId: 'vm-new', creationTime: NOW - 60 })).status, 404);
      badField(await post(legacyOn, '/api/event/vm/create', { vcenter: 'vc1', vmId: 'vm-b' }), 'body.creationTime');
      const sources = await server.store.all<{ source: string }>(sql`SELECT source FROM vm_lifecycle_imports WHERE vm_id = 'vm-b' ORDER BY id`);
      assert.deepEqual(sources.map((r) => r.source), ['/api/event/vm/create', '/api/event/vm/delete']);

      for (const path of ['/api/event/vm/modify', '/api/event/vm/move', '/api/cleanup/updates', '/api/cleanup/vcenter']) {
        const answer = await post(legacyOn, path, { anything: true });
        assert.equal(answer.status, 501, path);
        assert.equal(answer.body.error.code, 'not-implemented');
        assert.match(answer.body.error.message, new RegExp(`^${path} is not implemented by vctp: .*(vctp |GET /api/)`));
      }
    });

    it('with auth required: admin only, and the audit names the token\'s user; legacy is 410 before auth', async () => {
      const body = { vcenter: 'vc1', vmId: 'vm-b', creationTime: utc('2026-01-15T00:00:00Z'), reason: 'asset register' };
      const as = async (token: string | null) => {
        const res = await authed.app.request('/api/import/vm', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      assert.equal((await as(null)).status, 401);
      assert.equal((await as(await tokenFor('victor', 'viewer'))).status, 403);
      const ok = await as(await tokenFor('alice', 'admin'));
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.audit.by, 'alice');
      const rows = await server.store.all<{ imported_by: string }>(sql`SELECT imported_by FROM vm_lifecycle_imports WHERE id = ${ok.body.audit.id}`);
      assert.equal(rows[0]!.imported_by, 'alice');
      assert.equal((await post(authed, '/api/event/vm/create', body)).status, 410);
    });
  });
}
