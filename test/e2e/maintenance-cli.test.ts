// The built `vctp` running backfill, repair, retention and db cleanup (and their legacy aliases)
// against a database seeded with three days of captures, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatDay } from '../../src/core/periods.js';
import { runVctp } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { captureSeries, DAY, Fleet, H, hoursFrom, random } from '../integration/maintenance-fleet.js';

const now = Math.floor(Date.now() / 1000);
const today = now - (now % DAY);
const days = [today - 3 * DAY, today - 2 * DAY, today - DAY].map(formatDay);

for (const engine of ENGINES) {
  describe(`vctp backfill, repair, retention, db cleanup (built binary, ${engine})`, () => {
    let db: TestDatabase;
    let settings: string;
    const vctp = (...args: string[]) => runVctp(['-s', settings, ...args]);

    before(async () => {
      db = await createTestDatabase(engine);
      const store = await db.open();
      try {
        await captureSeries(testContext(store, now * 1000), 'vc1.example.com', new Fleet(random(11), 25), hoursFrom(today - 3 * DAY, 3 * 8 + 1, 3 * H));
      } finally {
        await store.close();
      }
      const dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-maint-'));
      settings = join(dir, 'vctp.yml');
      writeFileSync(
        settings,
        [
          'settings:',
          `  database_driver: ${engine}`,
          `  database_url: "${db.settings.database_url}"`,
          '  log_output: json',
          '  hourly_snapshot_max_age_days: 1',
          '  tenants_to_filter: [ acme ]',
          '  node_charge_clusters: [ "hpc*" ]',
          '  srm_activeactive_vms: [ "aa-*" ]',
          '',
        ].join('\n'),
      );
    });
    after(async () => {
      await db?.drop();
    });

    it('rejects bad flags with exit 1, naming the flag', async () => {
      const cases: [string[], RegExp][] = [
        [['repair', '--from', '2026-13-01'], /--from 2026-13-01: expected a calendar date YYYY-MM-DD/],
        [['repair', '--to', 'yesterday'], /--to yesterday: expected a calendar date YYYY-MM-DD/],
        [['repair', '--from', '2026-04-10', '--to', '2026-04-01'], /--from 2026-04-10 is after --to 2026-04-01/],
        [['repair', '--all', '--from', '2026-04-01'], /--all looks at every day with snapshots: use it without --from and --to/],
        [['repair', '--engine', 'go-fast'], /--engine/],
        [['repair', '--vcenter', 'nope'], /--vcenter nope: no snapshots of such a vCenter/],
        // An empty value is a flag error, not the default period; a period without snapshots gets no rows.
        [['aggregate', 'daily', '--date', ''], /--date : expected a calendar date YYYY-MM-DD/],
        [['aggregate', 'monthly', '--month', ''], /--month : expected YYYY-MM/],
        [['aggregate', 'daily', '--date', '1999-01-01'], /--date 1999-01-01: no snapshots of vc1.example.com in it; nothing to aggregate/],
        [['aggregate', 'monthly', '--month', '1999-01'], /--month 1999-01: no snapshots of vc1.example.com in it; nothing to aggregate/],
      ];
      for (const [args, message] of cases) {
        const result = await vctp(...args);
        assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message);
      }
      const totals = JSON.parse((await vctp('totals', '--view', 'monthly', '--days', '20000', '--json')).stdout) as { rows: { period: string }[] };
      assert.ok(!totals.rows.some((r) => r.period.startsWith('1999')), 'no totals row for a period without snapshots');
    });

    it('backfill rebuilds the totals caches (also as -backfill-vcenter-cache)', async () => {
      const result = await vctp('backfill', '--json');
      assert.equal(result.code, 0, result.stderr);
      const [outcome] = JSON.parse(result.stdout).outcomes;
      assert.deepEqual([outcome.vcenter, outcome.ok, outcome.hourly, outcome.latest], ['vc1.example.com', true, 25, today]);
      const legacy = await runVctp(['-settings', settings, '-backfill-vcenter-cache']);
      assert.equal(legacy.code, 0, legacy.stderr);
      assert.match(legacy.stdout, /vc1\.example\.com.*\b25\b/);
    });

    it('repair aggregates the ended days that have no summary, then has nothing to do', async () => {
      const result = await vctp('repair');
      assert.equal(result.code, 0, result.stderr);
      for (const day of days) assert.match(result.stdout, new RegExp(`${day}.*missing.*ok \\(\\d+ VMs`));
      assert.doesNotMatch(result.stdout, new RegExp(formatDay(today)));
      const again = await vctp('repair', '--json');
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(JSON.parse(again.stdout).actions, []);
      const text = await vctp('repair');
      assert.match(text.stdout, /nothing to repair/);
    });

    it('retention --dry-run reports what retention then removes', async () => {
      const dry = await vctp('retention', '--dry-run', '--json');
      assert.equal(dry.code, 0, dry.stderr);
      const planned = JSON.parse(dry.stdout);
      assert.equal(planned.dryRun, true);
      assert.equal(planned.removed.hourlySnapshots, 16);
      const table = await vctp('retention', '--dry-run');
      assert.match(table.stdout, /dry run: these rows would go; nothing was removed/);
      assert.match(table.stdout, /snapshot_registry\s*│\s*16\s*│\s*hourly snapshots before the cut/);
      const real = await vctp('retention', '--json');
      assert.equal(real.code, 0, real.stderr);
      assert.deepEqual(JSON.parse(real.stdout).removed, planned.removed);
      const after = await vctp('retention', '--json');
      assert.equal(JSON.parse(after.stdout).removed.hourlySnapshots, 0);
    });

    it('db cleanup runs the maintenance and says there are no hourly indexes to drop (also as -db-cleanup)', async () => {
      const result = await vctp('db', 'cleanup');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, engine === 'sqlite' ? /VACUUM[\s\S]*wal_checkpoint\(TRUNCATE\)/ : /VACUUM \(ANALYZE\) vm_spans/);
      assert.match(result.stdout, /bytes\)/);
      assert.match(result.stdout, /no per-hour tables or indexes, nothing to drop/);
      const legacy = await runVctp(['-settings', settings, '-db-cleanup', '--json']);
      assert.equal(legacy.code, 0, legacy.stderr);
      assert.equal(JSON.parse(legacy.stdout).dialect, engine);
    });
  });
}
