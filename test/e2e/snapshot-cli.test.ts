// The built `vctp` against the simulator, as systemd would run it: exit statuses, the password
// encrypted in place, `vctp status`, and two snapshot runs started at once.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVctp } from '../helpers/cli.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

describe('vctp snapshot (built binary, simulator)', () => {
  let sim: Vcsim;
  let dir: string;
  let settingsPath: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-snap-'));
    sim = await startVcsim({ dc: 1, cluster: 1, host: 1, vm: 8, pageSize: 5, certDir: join(dir, 'certs'), username: 'ops', password: 'pa55word' });
    settingsPath = join(dir, 'vctp.yml');
    writeFileSync(
      settingsPath,
      [
        '# written by the e2e test',
        'settings:',
        `  database_url: ${join(dir, 'db.sqlite3')}`,
        '  log_output: json',
        `  vcenter_addresses: [ "${sim.url}" ]`,
        '  vcenter_username: ops',
        '  vcenter_password: pa55word   # plaintext on purpose: vctp encrypts it',
        `  vcenter_ca_file: ${sim.caFile}`,
        '  encryption_key: e2e-key',
        '  hourly_snapshot_retry_seconds: 1',
        '  hourly_snapshot_max_retries: 1',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await sim?.stop();
  });

  it('captures, encrypts the plaintext password in place, and shows the result in status', async () => {
    const result = await runVctp(['-s', settingsPath, 'snapshot', '--at', '2026-04-21T09:00:00Z', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const outcome = JSON.parse(result.stdout).outcomes[0];
    assert.equal(outcome.ok, true);
    assert.equal(outcome.summary.vmCount, sim.info.vms);
    const text = readFileSync(settingsPath, 'utf8');
    assert.match(text, /^ {2}vcenter_password: enc:v1:\S+ {3}# plaintext on purpose: vctp encrypts it$/m);
    assert.match(text, /^# written by the e2e test$/m);
    assert.doesNotMatch(result.stderr, /pa55word/);

    const status = await runVctp(['-s', settingsPath, 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const vc = JSON.parse(status.stdout).vcenters[0];
    assert.equal(vc.latestSnapshot, Date.parse('2026-04-21T09:00:00Z') / 1000);
    assert.equal(vc.totals.vmCount, sim.info.vms);
    assert.equal(vc.lastSnapshotJob.status, 'ok');
    const table = await runVctp(['-s', settingsPath, 'status']);
    assert.match(table.stdout, /2026-04-21T09:00:00Z/);
  });

  it('refuses an --at that is not later than the latest snapshot, with exit 1', async () => {
    const result = await runVctp(['-s', settingsPath, 'snapshot', '--at', '2026-04-21T09:00:00Z']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /already has a snapshot at 2026-04-21T09:00:00(\.000)?Z/);
  });

  it('exits 2 when a vCenter fails after its retries, and records it', async () => {
    await sim.failAfterPages(0, 0);
    const result = await runVctp(['-s', settingsPath, 'snapshot', '--at', '2026-04-21T10:00:00Z']);
    await sim.resetFaults();
    assert.equal(result.code, 2, result.stderr);
    // Printed once: the job's error line names the vCenter and the error; the table says it failed,
    // without the error; no closing `vctp:` line repeats it.
    const logged = result.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const errors = logged.filter((line) => Number(line.level) >= 50);
    assert.deepEqual(errors.map((e) => [e.msg, e.vcenter, e.attempts]), [['snapshot failed; nothing stored for this vCenter', new URL(sim.url).host, 2]], result.stderr);
    assert.match(String(errors[0]!.err), /RetrievePropertiesEx/);
    assert.doesNotMatch(result.stderr, /^vctp:/m);
    assert.match(result.stdout, /failed after 2 attempts/);
    assert.doesNotMatch(result.stdout, /RetrievePropertiesEx/);
    const status = JSON.parse((await runVctp(['-s', settingsPath, 'status', '--json'])).stdout).vcenters[0];
    assert.equal(status.lastSnapshotJob.status, 'failed');
    assert.equal(status.lastSnapshotJob.attempts, 2);
    assert.equal(status.latestSnapshot, Date.parse('2026-04-21T09:00:00Z') / 1000);
  });

  it('lets only one of two concurrent runs write; the other waits or exits 0 saying so', async () => {
    const [a, b] = await Promise.all([
      runVctp(['-s', settingsPath, 'snapshot', '--at', '2026-04-21T11:00:00Z', '--lock-wait', '0', '--json']),
      runVctp(['-s', settingsPath, 'snapshot', '--at', '2026-04-21T11:00:00Z', '--lock-wait', '0', '--json']),
    ]);
    const results = [a, b].map((r) => ({ code: r.code, out: r.stdout ? JSON.parse(r.stdout) : null, err: r.stderr }));
    // One stored the snapshot; the other either found the lock taken (exit 0, skipped) or, when the
    // first had already finished, was refused for repeating the same --at time (exit 1).
    const stored = results.filter((r) => r.code === 0 && r.out && !r.out.skipped);
    assert.equal(stored.length, 1, JSON.stringify(results));
    const other = results.find((r) => r !== stored[0])!;
    assert.ok((other.code === 0 && other.out.skipped === true) || (other.code === 1 && /already has a snapshot/.test(other.err)), JSON.stringify(other));

    // Two plain runs started together: the second waits for the lock, then leaves the vCenter alone,
    // since an extra sample seconds later would change every average of the day.
    const [c, d] = await Promise.all([
      runVctp(['-s', settingsPath, 'snapshot', '--lock-wait', '60', '--json']),
      runVctp(['-s', settingsPath, 'snapshot', '--lock-wait', '60', '--json']),
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(d.code, 0, d.stderr);
    const outcomes = [c, d].map((r) => JSON.parse(r.stdout).outcomes[0] as { summary?: { snapshotTime: number }; skipped?: string });
    assert.equal(outcomes.filter((o) => o.summary).length, 1, JSON.stringify(outcomes));
    assert.match(outcomes.find((o) => !o.summary)!.skipped ?? '', /younger than half the snapshot interval.*--force/);

    // --force takes another one, at a later time.
    const forced = await runVctp(['-s', settingsPath, 'snapshot', '--force', '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    const forcedTime = JSON.parse(forced.stdout).outcomes[0].summary.snapshotTime as number;
    assert.ok(forcedTime > outcomes.find((o) => o.summary)!.summary!.snapshotTime);
  });
});
