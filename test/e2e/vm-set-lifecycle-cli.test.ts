// `vctp vm set-lifecycle`, the CLI twin of POST /api/import/vm: the built binary against a SQLite
// database seeded with three days of hourly captures. A creation time set is written to
// vm_lifecycle and audited with the OS user and source 'cli'; the same values again change nothing;
// --json answers the API's shape; an unknown vCenter or VM, a bad or contradicted time, a missing
// flag are refused naming the flag (exit 1), as is a run while another holds the aggregate lock.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { formatDay } from '../../src/core/periods.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { withJobLock } from '../../src/jobs/job-lock.js';
import { importVmResult } from '../../src/server/routes/import-vm.js';
import { vm } from '../helpers/builders.js';
import { runVctp } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { DAY, H, SETTINGS } from '../integration/maintenance-fleet.js';

const VC = 'vc1.example.com';
const now = Math.floor(Date.now() / 1000);
const START = now - (now % DAY) - 3 * DAY; // three days ago, 00:00 UTC
const HOURS = 72;
const B_GONE = START + 35 * H; // vm-b's first snapshot without it
const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

describe('vctp vm set-lifecycle (built binary, sqlite)', () => {
  let db: TestDatabase;
  let settings: string;
  const vctp = (...args: string[]) => runVctp(['-s', settings, ...args]);
  const query = async <T>(text: ReturnType<typeof sql>) => {
    const store = await db.open();
    try {
      return await store.all<T>(text);
    } finally {
      await store.close();
    }
  };
  const audits = () => query<Record<string, unknown>>(sql`SELECT * FROM vm_lifecycle_imports ORDER BY id`);
  const lifecycle = async (vmId: string) =>
    (await query<{ creation_time: number; deletion_time: number }>(sql`SELECT creation_time, deletion_time FROM vm_lifecycle WHERE vm_id = ${vmId}`)).map((r) => [
      Number(r.creation_time),
      Number(r.deletion_time),
    ])[0];

  before(async () => {
    db = await createTestDatabase('sqlite');
    const store = await db.open();
    try {
      for (let i = 0; i < HOURS; i++) {
        const t = START + i * H;
        const records = [vm('vm-a'), vm('vm-c'), ...(t < B_GONE ? [vm('vm-b')] : [])];
        await captureInventory(testContext(store, t * 1000), SETTINGS, { vcenter: VC, snapshotTime: t, records });
      }
    } finally {
      await store.close();
    }
    const dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-setlife-'));
    settings = join(dir, 'vctp.yml');
    writeFileSync(settings, ['settings:', '  database_driver: sqlite', `  database_url: "${db.settings.database_url}"`, '  log_output: json', ''].join('\n'));
  });
  after(async () => {
    await db?.drop();
  });

  it('refuses bad, missing and contradicted flags with exit 1, naming the flag, and writes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--vm', 'vm-a', '--created', '2026-13-01', '--reason', 'x'], /--created 2026-13-01: expected unix seconds or an ISO 8601 time/],
      [['--vm', 'vm-b', '--deleted', 'yesterday', '--reason', 'x'], /--deleted yesterday: expected unix seconds or an ISO 8601 time/],
      [['--vm', 'vm-a', '--created', String(START + 1), '--reason', 'x'], new RegExp(`--created ${START + 1}: ${iso(START + 1)} is after the VM's first snapshot \\(${iso(START)}\\)`)],
      [['--vm', 'vm-a', '--deleted', String(START + H), '--reason', 'x'], /--deleted \d+: the VM is in the latest snapshot of its vCenter/],
      [['--vm', 'vm-a', '--created', '0', '--reason', 'x'], /--created 0: expected a time after 1970-01-01T00:00:00Z/],
      [['--vm', 'vm-a', '--created', String(START)], /--reason: why the value is set \(it is kept in the audit\) is required/],
      [['--vm', 'vm-a', '--created', String(START), '--reason', '  '], /--reason: why the value is set/],
      [['--vm', 'vm-a', '--reason', 'x'], /--created, --deleted or both: give the time\(s\) to set/],
      [['--created', String(START), '--reason', 'x'], /--vm: the VM's managed object id/],
      [['--vm', 'vm-a', '--created', String(START), '--reason', 'x', '--lock-wait', 'soon'], /--lock-wait soon: expected a whole number/],
    ];
    for (const [args, message] of cases) {
      const result = await vctp('vm', 'set-lifecycle', '--vcenter', VC, ...args);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
      assert.doesNotMatch(result.stderr, /internal error/);
    }
    const noVcenter = await vctp('vm', 'set-lifecycle', '--vm', 'vm-a', '--created', String(START), '--reason', 'x');
    assert.equal(noVcenter.code, 1);
    assert.match(noVcenter.stderr, /--vcenter: the vCenter \(host\[:port\] as stored/);
    assert.deepEqual(await audits(), []);
    assert.deepEqual(await lifecycle('vm-a'), [0, 0]);
  });

  it('names an unknown VM or vCenter (exit 1, not found)', async () => {
    const vmResult = await vctp('vm', 'set-lifecycle', '--vcenter', VC, '--vm', 'vm-zzz', '--created', '2026-01-01T00:00:00Z', '--reason', 'x');
    assert.equal(vmResult.code, 1, vmResult.stderr);
    assert.match(vmResult.stderr, /vctp: --vm vm-zzz: no such VM in the stored snapshots of vc1\.example\.com/);
    const vcResult = await vctp('vm', 'set-lifecycle', '--vcenter', 'nope.example.com', '--vm', 'vm-a', '--created', '2026-01-01T00:00:00Z', '--reason', 'x');
    assert.equal(vcResult.code, 1, vcResult.stderr);
    assert.match(vcResult.stderr, /vctp: --vcenter nope\.example\.com: no snapshots of such a vCenter \(known: vc1\.example\.com\)/);
    assert.deepEqual(await audits(), []);
  });

  it('sets a creation time, audited with the OS user and source cli, and says what became stale', async () => {
    const created = START - 40 * DAY;
    const result = await vctp('vm', 'set-lifecycle', '--vcenter', VC, '--vm', 'vm-a', '--created', iso(created), '--reason', 'created per CHG-1234');
    assert.equal(result.code, 0, result.stderr);
    const first = formatDay(START);
    const last = formatDay(START + 2 * DAY);
    const user = userInfo().username;
    assert.equal(
      result.stdout,
      [
        `set the lifecycle of vm-a in ${VC} (audit #1, by ${user}, source cli):`,
        `  creation time: unknown -> ${iso(created)}`,
        '  deletion time: unknown (unchanged)',
        `summaries of ${first} .. ${last} carried the old values and are now stale; to rebuild them: vctp repair --from ${first} --to ${last}`,
        '',
      ].join('\n'),
    );
    assert.deepEqual(await lifecycle('vm-a'), [created, 0]);
    const rows = await audits();
    assert.equal(rows.length, 1);
    assert.deepEqual(
      { ...rows[0], id: undefined, imported_at: undefined, lifecycle_id: undefined },
      {
        id: undefined,
        imported_at: undefined,
        lifecycle_id: undefined,
        vcenter_id: 1,
        vm_id: 'vm-a',
        imported_by: user,
        source: 'cli',
        reason: 'created per CHG-1234',
        old_creation_time: 0,
        new_creation_time: created,
        old_deletion_time: 0,
        new_deletion_time: 0,
        first_day: START,
        last_day: START + 2 * DAY,
      },
    );
    const runs = await query<{ status: string }>(sql`SELECT status FROM job_runs WHERE job = 'import-vm' ORDER BY id`);
    assert.deepEqual(runs.map((r) => r.status), ['ok']);

    // The same value again (as unix seconds) changes and audits nothing.
    const again = await vctp('vm', 'set-lifecycle', '--vcenter', VC, '--vm', 'vm-a', '--created', String(created), '--reason', 'again');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`vm-a in ${VC} already has these values \\(creation ${iso(created)}, deletion unknown\\): nothing was changed or audited`));
    assert.equal((await audits()).length, 1);
  });

  it('--json prints the result in the API\'s shape (a deletion time corrected)', async () => {
    const deleted = B_GONE - 1800;
    const result = await vctp('vm', 'set-lifecycle', '--vcenter', VC, '--vm', 'vm-b', '--deleted', String(deleted), '--reason', 'VmRemovedEvent lost', '--json');
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as Record<string, unknown> & { audit: { id: number; time: number } };
    importVmResult.strict().parse(json); // the answer of POST /api/import/vm, key for key at the top
    const lifecycleId = Number((await query<{ id: number }>(sql`SELECT id FROM vm_lifecycle WHERE vm_id = 'vm-b'`))[0]!.id);
    assert.deepEqual(json, {
      skipped: false,
      vcenter: VC,
      vmId: 'vm-b',
      lifecycleId,
      changed: true,
      before: { creationTime: null, creationTimeIso: null, deletionTime: B_GONE, deletionTimeIso: iso(B_GONE) },
      after: { creationTime: null, creationTimeIso: null, deletionTime: deleted, deletionTimeIso: iso(deleted) },
      audit: { id: json.audit.id, time: json.audit.time, timeIso: iso(json.audit.time), by: userInfo().username, source: 'cli', reason: 'VmRemovedEvent lost' },
      staleDays: { first: formatDay(START), last: formatDay(B_GONE - H) },
      repair: `vctp repair --from ${formatDay(START)} --to ${formatDay(B_GONE - H)}`,
    });
    assert.ok(Math.abs(json.audit.time - Date.now() / 1000) < 120);
    assert.deepEqual(await lifecycle('vm-b'), [0, deleted]);
  });

  it('refuses while another run holds the aggregate lock (exit 1), changing nothing', async () => {
    const store = await db.open();
    try {
      const held = await withJobLock(testContext(store, Date.now()), 'aggregate', 0, () =>
        vctp('vm', 'set-lifecycle', '--vcenter', VC, '--vm', 'vm-c', '--created', String(START), '--reason', 'x', '--lock-wait', '0', '--json'),
      );
      assert.ok(held.acquired);
      const result = held.result;
      assert.equal(result.code, 1, result.stderr);
      assert.equal(JSON.parse(result.stdout).skipped, true);
      assert.match(result.stderr, /another vctp run holds the aggregate lock \(.+\); nothing was changed/);
    } finally {
      await store.close();
    }
    assert.deepEqual(await lifecycle('vm-c'), [0, 0]);
  });

  it('is listed under `vctp vm`', async () => {
    const help = await vctp('vm', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /set-lifecycle \[options\]/);
  });
});
