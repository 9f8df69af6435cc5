// The pure parts of `vctp doctor`: thresholds and status rules, the ignored settings keys, the /sdk
// hint, freshness of summaries and reports, the PostgreSQL baseline, and systemd's answers.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  encryptSecret,
  activeKey,
  findIgnoredKeys,
  IGNORED_KEY_REASONS,
  ignoredKeysOf,
  ignoredKeyWarnings,
  parseSettings,
  readVcenterPassword,
  type HostIdentitySource,
} from '../../src/config/index.js';
import { settingsFields } from '../../src/config/settings-schema.js';
import { doctorCheck, summarizeChecks, worstStatus } from '../../src/core/doctor-check.js';
import { dailyBehind, monthlyBehind, newestDueReports, type RegistryFact } from '../../src/core/doctor-freshness.js';
import { reportsWithData } from '../../src/core/report-schedule.js';
import { compareTuning } from '../../src/core/doctor-pg-tuning.js';
import { DISK_THRESHOLDS, diskStatus, dueDay, dueMonth, sdkHint, snapshotFreshness } from '../../src/core/doctor-rules.js';
import { dayPeriod, monthPeriod } from '../../src/core/periods.js';
import { settingsChecks } from '../../src/queries/doctor/settings-checks.js';
import { parseSystemctlShow, timerChecks, timersCheck, VCTP_TIMERS } from '../../src/queries/doctor/timer-checks.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const t = (iso: string) => Date.parse(iso) / 1000;

describe('doctor: check list', () => {
  it('takes the worst status and counts failures', () => {
    assert.equal(worstStatus([]), 'ok');
    assert.equal(worstStatus(['ok', 'warn', 'ok']), 'warn');
    assert.equal(worstStatus(['warn', 'fail', 'ok']), 'fail');
    const summary = summarizeChecks([doctorCheck('a', 'ok', ''), doctorCheck('b', 'warn', ''), doctorCheck('c', 'fail', '', { x: 1 })]);
    assert.deepEqual(summary, { ok: 1, warn: 1, fail: 1, failed: ['c'] });
    assert.deepEqual(doctorCheck('c', 'fail', 'd', { x: 1, check: 'not this' }), { x: 1, check: 'c', status: 'fail', detail: 'd' });
  });
});

describe('doctor: disk thresholds', () => {
  const total = 100 * GIB;
  it('fails under 100 MiB, warns under 1 GiB or 10%, else ok', () => {
    assert.equal(diskStatus(DISK_THRESHOLDS.failBytes - 1, total).status, 'fail');
    assert.equal(diskStatus(DISK_THRESHOLDS.failBytes, total).status, 'warn');
    assert.equal(diskStatus(GIB - 1, total).status, 'warn');
    assert.equal(diskStatus(9 * GIB, total).status, 'warn');
    assert.equal(diskStatus(10 * GIB, total).status, 'ok');
    // A small disk: 1.5 GiB free of 2 GiB is 75%, and over 1 GiB.
    assert.equal(diskStatus(1.5 * GIB, 2 * GIB).status, 'ok');
    assert.match(diskStatus(50 * MIB, total).reason, /50 MiB free of 100 GiB .*under 100 MiB/);
  });
});

describe('doctor: /sdk hint', () => {
  it('hints when the path is not /sdk, with the URL to use', () => {
    assert.equal(sdkHint('https://vc.example.com/sdk'), null);
    assert.equal(sdkHint('https://vc.example.com:8443/sdk/'), null);
    assert.equal(sdkHint('https://vc.example.com/SDK'), null);
    assert.match(sdkHint('https://vc.example.com')!, /does not end in \/sdk.*try https:\/\/vc\.example\.com\/sdk$/);
    assert.match(sdkHint('https://vc.example.com:8443/ui/')!, /try https:\/\/vc\.example\.com:8443\/sdk$/);
    assert.equal(sdkHint('not a url'), null);
  });
});

describe('doctor: snapshot freshness', () => {
  const now = t('2026-12-01T10:00:00Z');
  it('allows two intervals, fails beyond, warns when never run or in the future', () => {
    assert.equal(snapshotFreshness(now - 7200, now, 3600, true).status, 'ok');
    assert.equal(snapshotFreshness(now - 7201, now, 3600, true).status, 'fail');
    assert.match(snapshotFreshness(now - 5 * 3600, now, 3600, true).reason, /5 h old, over two intervals \(2 h\)/);
    assert.equal(snapshotFreshness(now - 7201, now, 7200, true).status, 'ok');
    assert.equal(snapshotFreshness(null, now, 3600, false).status, 'warn');
    assert.equal(snapshotFreshness(null, now, 3600, true).status, 'fail');
    assert.equal(snapshotFreshness(now + 3600, now, 3600, true).status, 'warn');
  });
});

describe('doctor: which periods must be aggregated by now', () => {
  it('gives the daily timer six hours after midnight and the monthly one a day', () => {
    assert.equal(dueDay(t('2026-12-01T03:00:00Z')).label, '2026-11-29');
    assert.equal(dueDay(t('2026-12-01T06:00:00Z')).label, '2026-11-30');
    assert.equal(dueMonth(t('2026-12-01T23:00:00Z')).label, '2026-10');
    assert.equal(dueMonth(t('2026-12-02T00:00:00Z')).label, '2026-11');
  });
});

describe('doctor: summaries and reports behind', () => {
  const day = dayPeriod('2026-11-30');
  const hourly = (vcenter: string, iso: string, createdAt = t(iso) + 5): RegistryFact => ({ vcenter, kind: 'hourly', time: t(iso), createdAt, totalSamples: null });
  const daily = (vcenter: string, label: string, totalSamples: number, createdAt: number): RegistryFact => ({
    vcenter,
    kind: 'daily',
    time: dayPeriod(label).start,
    createdAt,
    totalSamples,
  });

  it('finds days without a summary, or with one over other snapshots or older than them', () => {
    const rows = [hourly('vc1', '2026-11-30T01:00:00Z'), hourly('vc1', '2026-11-30T02:00:00Z'), hourly('vc2', '2026-11-30T01:00:00Z'), hourly('vc3', '2026-11-30T01:00:00Z')];
    const summaries = [daily('vc2', '2026-11-30', 2, t('2026-12-01T00:15:00Z')), daily('vc3', '2026-11-30', 1, t('2026-12-01T00:15:00Z'))];
    const behind = dailyBehind(day, [...rows, ...summaries]);
    assert.deepEqual(
      behind.map((b) => [b.vcenter, b.reason]),
      [
        ['vc1', 'missing'],
        ['vc2', 'stale'],
      ],
    );
    assert.deepEqual(dailyBehind(day, []), []);
  });

  it('finds months without a monthly summary', () => {
    const month = monthPeriod('2026-11');
    const rows = [daily('vc1', '2026-11-30', 24, 100), daily('vc2', '2026-11-30', 24, 100)];
    const monthly: RegistryFact = { vcenter: 'vc2', kind: 'monthly', time: month.start, createdAt: 200, totalSamples: 24 };
    assert.deepEqual(
      monthlyBehind(month, [...rows, monthly], 'daily').map((b) => [b.vcenter, b.reason]),
      [['vc1', 'missing']],
    );
  });

  it('picks the newest report of each kind that is due, dated as report pending dates it', () => {
    const month = monthPeriod('2026-10');
    const ids: Record<string, number> = { vc1: 1, vc2: 2 };
    const fact = (r: RegistryFact) => ({ vcenterId: ids[r.vcenter]!, kind: r.kind, time: r.time, createdAt: r.createdAt });
    const rows = [
      daily('vc1', '2026-10-31', 24, 350),
      { vcenter: 'vc1', kind: 'monthly', time: month.start, createdAt: 300, totalSamples: 744 } as RegistryFact,
      daily('vc1', '2026-11-29', 24, 400),
      daily('vc1', '2026-11-30', 24, 500),
      hourly('vc1', '2026-12-01T00:00:05Z', 700),
      hourly('vc1', '2026-12-01T01:00:05Z', 900),
      hourly('vc1', '2026-12-01T08:00:10Z', 1000),
      hourly('vc2', '2026-12-01T08:00:20Z', 1010),
      hourly('vc1', '2026-12-01T09:00:10Z', 1100),
    ].sort((x, y) => x.time - y.time);
    const now = t('2026-12-01T09:30:00Z');
    const planned = reportsWithData(rows.map(fact), now, { hourly_snapshot_max_age_days: 60, daily_snapshot_max_age_months: 12 });
    const due = newestDueReports(planned, { lastHourStart: t('2026-12-01T08:00:00Z'), day, month });
    assert.deepEqual(
      due.map((r) => ({ kind: r.kind, period: r.period, dataTime: r.dataTime })),
      [
        { kind: 'hourly', period: '2026-12-01T08', dataTime: 1010 },
        { kind: 'daily', period: '2026-11-30', dataTime: 700 },
        { kind: 'monthly', period: '2026-10', dataTime: 350 },
      ],
    );
    assert.deepEqual(newestDueReports([], { lastHourStart: null, day, month }), []);
  });
});

describe('doctor: PostgreSQL tuning baseline', () => {
  it('normalises units and warns below the baseline (above it where less is more)', () => {
    const rows = [
      { name: 'shared_buffers', setting: '16384', unit: '8kB' },
      { name: 'effective_cache_size', setting: '6291456', unit: '8kB' },
      { name: 'work_mem', setting: '16384', unit: 'kB' },
      { name: 'checkpoint_timeout', setting: '900', unit: 's' },
      { name: 'autovacuum_naptime', setting: '60', unit: 's' },
      { name: 'random_page_cost', setting: '1.1', unit: null },
      { name: 'wal_compression', setting: 'lz4', unit: null },
      { name: 'track_io_timing', setting: 'off', unit: null },
      { name: 'autovacuum_vacuum_cost_limit', setting: '-1', unit: null },
      { name: 'vacuum_cost_limit', setting: '2000', unit: null },
    ];
    const byName = new Map(compareTuning(rows).map((c) => [c.name, c]));
    assert.deepEqual(byName.get('shared_buffers'), { name: 'shared_buffers', current: '128MB', recommended: '12GB, 16GB on a dedicated host', meets: false });
    assert.equal(byName.get('effective_cache_size')?.current, '48GB');
    assert.equal(byName.get('effective_cache_size')?.meets, true);
    assert.equal(byName.get('work_mem')?.meets, true);
    assert.equal(byName.get('checkpoint_timeout')?.current, '15min');
    assert.equal(byName.get('checkpoint_timeout')?.meets, true);
    assert.equal(byName.get('autovacuum_naptime')?.meets, false);
    assert.equal(byName.get('random_page_cost')?.meets, true);
    assert.equal(byName.get('wal_compression')?.meets, true);
    assert.equal(byName.get('track_io_timing')?.meets, false);
    assert.equal(byName.get('autovacuum_vacuum_cost_limit')?.meets, true);
    assert.equal(byName.get('max_wal_size')?.meets, null);
  });
});

describe('doctor: ignored settings keys', () => {
  it('finds the keys vctp ignores, in file order, and knows which are at their default', () => {
    const found = findIgnoredKeys(['toString', 'capture_write_batch_size', 'reports_dir', 'snapshot_cleanup_cron'], (k) => k === 'capture_write_batch_size');
    assert.deepEqual(
      found.map((k) => [k.key, k.atDefault]),
      [
        ['capture_write_batch_size', true],
        ['snapshot_cleanup_cron', false],
      ],
    );
    assert.deepEqual(ignoredKeyWarnings(found), [`settings.snapshot_cleanup_cron: accepted and ignored: ${IGNORED_KEY_REASONS.snapshot_cleanup_cron}`]);
  });

  it('records every ignored key the file sets; the loader warns only about values other than the default', () => {
    const loaded = parseSettings('settings:\n  capture_write_batch_size: 500\n  snapshot_table_compat_mode: true\n  bind_port: 8443\n  snapshot_cleanup_cron: "@hourly"\n', '/x.yml');
    assert.deepEqual(
      ignoredKeysOf(loaded).map((k) => [k.key, k.atDefault]),
      [
        ['capture_write_batch_size', false],
        ['snapshot_table_compat_mode', true],
        ['snapshot_cleanup_cron', false],
      ],
    );
    assert.deepEqual(loaded.warnings, [
      `settings.capture_write_batch_size: accepted and ignored: ${IGNORED_KEY_REASONS.capture_write_batch_size}`,
      `settings.snapshot_cleanup_cron: accepted and ignored: ${IGNORED_KEY_REASONS.snapshot_cleanup_cron}`,
    ]);
  });

  it('warns once that postgres_vm_hourly_partitioning_enabled does nothing on SQLite (it is acted on with PostgreSQL, so not an ignored key)', () => {
    const { warnings } = parseSettings('settings:\n  postgres_vm_hourly_partitioning_enabled: true\n', '/x.yml');
    assert.deepEqual(warnings, ['settings.postgres_vm_hourly_partitioning_enabled: only applies to PostgreSQL; ignored with sqlite']);
  });

  it('lists only settings keys, and each stays unread outside src/config', async () => {
    for (const key of Object.keys(IGNORED_KEY_REASONS)) assert.ok(Object.hasOwn(settingsFields, key), `${key} is not a settings key`);
    const src = fileURLToPath(new URL('../../src/', import.meta.url));
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.startsWith('config/'));
    for (const file of files) {
      const text = await readFile(join(src, file), 'utf8');
      for (const key of Object.keys(IGNORED_KEY_REASONS)) {
        assert.ok(!new RegExp(`\\b${key}\\b`).test(text), `src/${file} reads settings.${key}: take it out of src/config/ignored-keys.ts`);
      }
    }
  });

  it('reports them, and a settings file that does not load, in the settings checks', () => {
    const file = { path: '/x.yml', error: null, warnings: [], ignoredKeys: [{ key: 'capture_write_batch_size', reason: 'why', atDefault: true }] };
    const [settings, ignored] = settingsChecks(file, [{ key: 'settings.vcenter_password', form: 'enc:v1' }]);
    assert.equal(settings?.status, 'ok');
    assert.equal(ignored?.status, 'warn');
    assert.match(ignored!.detail, /capture_write_batch_size \(at its default\): why/);
    const plain = settingsChecks({ ...file, ignoredKeys: [] }, [{ key: 'settings.vcenters[1].password', form: 'plaintext' }])[0];
    assert.equal(plain?.status, 'warn');
    assert.match(plain!.detail, /settings\.vcenters\[1\]\.password: held as plaintext/);
    const broken = settingsChecks({ ...file, error: '/x.yml: settings.bind_port: expected an integer' }, []);
    assert.deepEqual(broken.map((c) => [c.check, c.status]), [['settings', 'fail']]);
  });
});

describe('doctor: the password, read without rewriting the file', () => {
  const host: HostIdentitySource = { readFile: () => 'c0ffee00c0ffee00c0ffee00c0ffee00', hostname: () => 'collector-1' };
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('decrypts enc:v1 and takes plaintext as is, leaving the file alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vctp-doctor-pw-'));
    dirs.push(dir);
    const path = join(dir, 'vctp.yml');
    const text = 'settings:\n  vcenter_password: plain-secret\n';
    await writeFile(path, text);
    assert.deepEqual(readVcenterPassword(parseSettings(text, path), { host }), { password: 'plain-secret', form: 'plaintext' });
    assert.equal(await readFile(path, 'utf8'), text);

    const key = activeKey(parseSettings('settings:\n', path).settings, host);
    const encrypted = parseSettings(`settings:\n  vcenter_password: ${encryptSecret('s3cret', key)}\n`, path);
    assert.deepEqual(readVcenterPassword(encrypted, { host }), { password: 's3cret', form: 'enc:v1' });
    assert.throws(() => readVcenterPassword(parseSettings('settings:\n  vcenter_password: ab\n', path), { host }), /2 characters or fewer/);
  });
});

describe('doctor: systemd timers', () => {
  const show = (units: [string, string, string, string][]) =>
    units.map(([id, load, file, active]) => `Id=${id}\nLoadState=${load}\nActiveState=${active}\nUnitFileState=${file}\n`).join('\n');
  const healthy = VCTP_TIMERS.map((u) => [u, 'loaded', 'enabled', 'active'] as [string, string, string, string]);

  it('passes when every timer is installed, enabled and active', () => {
    assert.equal(timersCheck(VCTP_TIMERS, parseSystemctlShow(show(healthy))).status, 'ok');
  });

  it('fails a missing or disabled timer and warns about one not started', () => {
    const states = parseSystemctlShow(
      show([
        ['vctp-snapshot.timer', 'not-found', '', 'inactive'],
        ['vctp-aggregate-daily.timer', 'loaded', 'disabled', 'inactive'],
        ...healthy.slice(2),
      ]),
    );
    const check = timersCheck(VCTP_TIMERS, states);
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /vctp-snapshot\.timer: not installed/);
    assert.match(check.detail, /vctp-aggregate-daily\.timer: disabled; systemctl enable --now vctp-aggregate-daily\.timer/);
    const inactive = timersCheck(VCTP_TIMERS, parseSystemctlShow(show([...healthy.slice(0, 4), ['vctp-db-cleanup.timer', 'loaded', 'enabled', 'inactive']])));
    assert.equal(inactive.status, 'warn');
  });

  it('skips with a warning when systemd is not running or systemctl fails', async () => {
    assert.match((await timerChecks(1000, async () => null)).detail, /systemd is not running/);
    const failed = await timerChecks(1000, async () => {
      throw new Error('systemctl show failed: timed out');
    });
    assert.equal(failed.status, 'warn');
  });
});
