// `vctp month close|reopen|list`: the built binary against a SQLite database with two days of hourly
// captures at the end of the last month. Exit statuses and messages of each refusal (a month not
// ended, not aggregated, already closed, a reopen without a reason, a bad argument), of an
// aggregation of the closed month (named: refused, exit 1; a timer's default run: skipped, exit 0),
// who is recorded (the OS user, with the sudo invoker), the list in text and JSON, and vctp status.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { osUser } from '../../src/config/os-user.js';
import { dayPeriod, formatDay, lastCompleteMonth, monthPeriod } from '../../src/core/periods.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { vm } from '../helpers/builders.js';
import { runVctp } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { DAY, H, SETTINGS } from '../integration/maintenance-fleet.js';

const VC = 'vc1.example.com';
const now = Math.floor(Date.now() / 1000);
const MONTH = lastCompleteMonth(now); // the month the captures end
const CURRENT = monthPeriod(new Date(now * 1000).toISOString().slice(0, 7));
const START = MONTH.end - 2 * DAY;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/.source;

describe('vctp month (built binary, sqlite)', () => {
  let db: TestDatabase;
  let settings: string;
  const vctp = (args: string[], env: Record<string, string> = {}) => runVctp(['-s', settings, ...args], { env: { SUDO_USER: '', ...env } });
  const query = async <T>(text: ReturnType<typeof sql>) => {
    const store = await db.open();
    try {
      return await store.all<T>(text);
    } finally {
      await store.close();
    }
  };
  // Whole runs (an aggregation also records one part per vCenter).
  const runs = async (job: string) => (await query<{ status: string }>(sql`SELECT status FROM job_runs WHERE job = ${job} AND vcenter IS NULL ORDER BY id`)).map((r) => r.status);

  before(async () => {
    db = await createTestDatabase('sqlite');
    const store = await db.open();
    try {
      for (let i = 0; i < 48; i++) {
        const t = START + i * H;
        await captureInventory(testContext(store, t * 1000), SETTINGS, { vcenter: VC, snapshotTime: t, records: [vm('vm-a'), vm('vm-b')] });
      }
      for (const day of [START, START + DAY]) {
        await aggregateDay(testContext(store, Date.now()), SETTINGS, { vcenterId: 1, vcenter: VC, engine: 'app', period: dayPeriod(formatDay(day)) });
      }
    } finally {
      await store.close();
    }
    const dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-month-'));
    settings = join(dir, 'vctp.yml');
    writeFileSync(settings, ['settings:', '  database_driver: sqlite', `  database_url: "${db.settings.database_url}"`, '  log_output: json', ''].join('\n'));
  });
  after(async () => {
    await db?.drop();
  });

  it('refuses a bad month, one not ended, one without history or without its monthly summary (exit 1), recording nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['month', 'close', '2026-13'], /^vctp: month 2026-13: expected a month YYYY-MM \(as 2026-10\)$/m],
      [['month', 'close', CURRENT.label], new RegExp(`^vctp: ${CURRENT.label}: the month has not ended yet \\(UTC\\); it can be closed from ${ISO} on$`, 'm')],
      [['month', 'close', '2001-01'], /^vctp: 2001-01: no vCenter has snapshots or summaries in this month; there is nothing to close$/m],
      [
        ['month', 'close', MONTH.label],
        new RegExp(`^vctp: ${MONTH.label}: the monthly summary is not up to date for ${VC.replace(/\./g, '\\.')} \\(missing: 2 daily summaries, no monthly summary\\); run vctp aggregate monthly --month ${MONTH.label} first, then close it$`, 'm'),
      ],
      [['month', 'reopen', MONTH.label, '--reason', 'x'], new RegExp(`^vctp: ${MONTH.label}: the month is not closed; there is nothing to reopen$`, 'm')],
      [['month', 'close', MONTH.label, '--lock-wait', 'soon'], /--lock-wait soon: expected a whole number/],
    ];
    for (const [args, message] of cases) {
      const result = await vctp(args);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
      assert.doesNotMatch(result.stderr, /internal error/);
    }
    assert.deepEqual(await runs('month-close'), []);
  });

  it('closes the month once aggregated, naming the OS user and its sudo invoker', async () => {
    const aggregated = await vctp(['aggregate', 'monthly', '--month', MONTH.label]);
    assert.equal(aggregated.code, 0, aggregated.stderr);
    const result = await vctp(['month', 'close', MONTH.label, '--reason', 'invoiced'], { SUDO_USER: 'alice' });
    assert.equal(result.code, 0, result.stderr);
    const by = `${osUser({})} (sudo by alice)`;
    assert.match(result.stdout, new RegExp(`^closed ${MONTH.label} by ${by.replace(/[()]/g, '\\$&')} at ${ISO} \\("invoiced"\\): its monthly summaries, totals and cost are final$`, 'm'));
    assert.match(result.stdout, new RegExp(`^  vCenters: ${VC}$`, 'm'));
    assert.match(result.stdout, /^ {2}rate cards: none \(no cost\)$/m);
    const rows = await query<{ closed_by: string; reason: string }>(sql`SELECT closed_by, reason FROM month_closures`);
    assert.deepEqual([...rows], [{ closed_by: by, reason: 'invoiced' }]);
    assert.deepEqual(await runs('month-close'), ['ok']);

    const again = await vctp(['month', 'close', MONTH.label]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`^vctp: ${MONTH.label}: the month is already closed \\(by .* \\(sudo by alice\\) at ${ISO} \\("invoiced"\\)\\)$`, 'm'));
  });

  it('refuses a named aggregation of the closed month (exit 1); a default run skips it (exit 0)', async () => {
    const named = await vctp(['aggregate', 'monthly', '--month', MONTH.label]);
    assert.equal(named.code, 1, named.stderr);
    assert.match(
      named.stderr,
      new RegExp(`^vctp: --month ${MONTH.label}: the month ${MONTH.label} is closed \\(by .* at ${ISO}\\); its figures are final: run vctp month reopen ${MONTH.label} --reason TEXT first$`, 'm'),
    );
    const day = await vctp(['aggregate', 'daily', '--date', formatDay(START)]);
    assert.equal(day.code, 1);
    assert.match(day.stderr, new RegExp(`--date ${formatDay(START)}: the month ${MONTH.label} is closed`));
    const timer = await vctp(['aggregate', 'monthly']);
    assert.equal(timer.code, 0, timer.stderr);
    assert.match(timer.stdout, new RegExp(`^monthly summaries of ${MONTH.label}: not aggregated, the month ${MONTH.label} is closed \\(by .* at ${ISO}\\); its figures are final$`, 'm'));
    assert.deepEqual(await runs('aggregate-monthly'), ['ok', 'skipped']);
  });

  it('lists the closed month, in text and JSON', async () => {
    const text = await vctp(['month', 'list']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`${MONTH.label} .*invoiced`));
    assert.match(text.stdout, /history:/);
    const json = await vctp(['month', 'list', '--json']);
    assert.equal(json.code, 0);
    const view = JSON.parse(json.stdout) as { closed: Record<string, unknown>[]; events: Record<string, unknown>[] };
    assert.equal(view.closed.length, 1);
    assert.equal(view.closed[0]!.month, MONTH.label);
    assert.match(String(view.closed[0]!.closedAtIso), new RegExp(`^${ISO}$`));
    assert.deepEqual(view.closed[0]!.rateCards, []);
    assert.deepEqual(view.events.map((e) => [e.month, e.action, e.reason]), [[MONTH.label, 'close', 'invoiced']]);
    const status = await vctp(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^closed months: ${MONTH.label} \\(vctp month list\\)$`, 'm'));
    assert.deepEqual(JSON.parse((await vctp(['status', '--json'])).stdout).closedMonths, [MONTH.label]);
  });

  it('reopens only with a reason; the month aggregates again', async () => {
    const bare = await vctp(['month', 'reopen', MONTH.label]);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /^vctp: --reason: say why the month is reopened \(it is kept with the month's history\)$/m);
    const result = await vctp(['month', 'reopen', MONTH.label, '--reason', 'credit note', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(json.month, MONTH.label);
    assert.equal(json.reason, 'credit note');
    assert.equal(json.reopenedBy, osUser({}));
    assert.match(String(json.reopenedAtIso), new RegExp(`^${ISO}$`));
    assert.deepEqual(await runs('month-reopen'), ['ok']);
    const aggregated = await vctp(['aggregate', 'monthly', '--month', MONTH.label]);
    assert.equal(aggregated.code, 0, aggregated.stderr);
    const list = JSON.parse((await vctp(['month', 'list', '--json'])).stdout) as { closed: unknown[]; events: { action: string }[] };
    assert.deepEqual(list.closed, []);
    assert.deepEqual(list.events.map((e) => e.action), ['close', 'reopen']);
  });
});
