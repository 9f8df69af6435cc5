// Several collectors on one PostgreSQL database: two built `vctp` processes with overlapping
// vcenter_addresses (collector 1: vc A and B; collector 2: vc B and C), three simulators, started
// together, several rounds. Job locks are per vCenter (src/jobs/job-lock.ts), so every vCenter and
// snapshot time is captured exactly once, both exit 0, and the work is split: A only ever by
// collector 1, C only by collector 2 (deterministic), B by exactly one of them each round (which
// one is a race, not asserted). The same for plain runs (the freshness rule, re-checked under the
// lock) and for two `vctp aggregate daily`. A collector killed with SIGKILL while it holds a
// vCenter's lock frees it with its session: `vctp status` showed the lock, the next run takes it at once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Store } from '../../src/store/executor.js';
import { vcenterName } from '../../src/vcenter/index.js';
import { runVctp, VCTP_BIN, type CliResult } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

const HOUR = 3600;
const DAY = '2026-04-21';
const T0 = Date.parse(`${DAY}T00:00:00Z`) / 1000;
const ROUNDS = 4;

interface Outcome {
  vcenter: string;
  ok: boolean;
  summary?: { snapshotTime: number };
  skipped?: string;
  capturedBy?: string;
}

describe('several collectors on one PostgreSQL (built binary, three simulators)', () => {
  let db: TestDatabase;
  let store: Store;
  let sims: Vcsim[] = [];
  let names: string[] = [];
  let dir: string;
  const settingsPaths: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-collectors-'));
    db = await createTestDatabase('postgres');
    store = await db.open(); // creates the schema before the collectors start
    sims = await Promise.all([0, 1, 2].map((i) => startVcsim({ dc: 1, cluster: 1, host: 1, vm: 6, seed: i + 1, username: 'ops', password: 'pa55word' })));
    names = sims.map((s) => vcenterName(s.url));
    const collectors = [
      [sims[0]!, sims[1]!],
      [sims[1]!, sims[2]!],
    ];
    collectors.forEach((list, i) => {
      const path = join(dir, `collector${i + 1}.yml`);
      writeFileSync(
        path,
        [
          'settings:',
          '  database_driver: postgres',
          `  database_url: "${db.settings.database_url}"`,
          '  log_output: json',
          `  vcenter_addresses: [ ${list.map((s) => `"${s.url}"`).join(', ')} ]`,
          '  vcenter_username: ops',
          '  vcenter_password: pa55word',
          '  vcenter_insecure: true',
          '  encryption_key: e2e-key',
          '  hourly_snapshot_retry_seconds: 1',
          '  hourly_snapshot_max_retries: 1',
          '  lock_wait_seconds: 120',
          `  reports_dir: ${join(dir, `reports${i + 1}`)}`,
          '',
        ].join('\n'),
      );
      chmodSync(path, 0o600);
      settingsPaths.push(path);
    });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
    await Promise.all(sims.map((s) => s.stop()));
  });

  /** Both collectors at once, with the same arguments. */
  const both = (args: string[]): Promise<CliResult[]> => Promise.all(settingsPaths.map((path) => runVctp(['-s', path, ...args])));

  const outcomesOf = (result: CliResult): Outcome[] => {
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { skipped: boolean; outcomes?: Outcome[] };
    return out.outcomes ?? [];
  };

  /** Hourly snapshots per vCenter and time, as the registry has them. */
  const registry = async (): Promise<Map<string, number[]>> => {
    const rows = await store.all<{ name: string; t: number; n: number }>(sql`
      SELECT v.name, r.snapshot_time AS t, COUNT(*) AS n FROM snapshot_registry r JOIN vcenters v ON v.id = r.vcenter_id
      WHERE r.kind = 'hourly' GROUP BY v.name, r.snapshot_time ORDER BY 1, 2`);
    const byName = new Map<string, number[]>();
    for (const r of rows) {
      assert.equal(Number(r.n), 1, `${r.name} at ${r.t}: one registry row`);
      byName.set(r.name, [...(byName.get(r.name) ?? []), Number(r.t)]);
    }
    return byName;
  };

  it(`--at, ${ROUNDS} rounds started together: every vCenter and hour captured exactly once, the overlap by one collector, both exit 0`, { timeout: 300_000 }, async () => {
    const [a, b, c] = names as [string, string, string];
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const at = T0 + round * HOUR;
      times.push(at);
      const [one, two] = (await both(['snapshot', '--at', new Date(at * 1000).toISOString(), '--json'])).map(outcomesOf) as [Outcome[], Outcome[]];
      const captured = (list: Outcome[]) => list.filter((o) => o.ok && o.summary?.snapshotTime === at).map((o) => o.vcenter);
      // The split that does not depend on who is first: A is collector 1's alone, C collector 2's.
      assert.ok(captured(one).includes(a), `round ${round}: collector 1 captured ${a}: ${JSON.stringify(one)}`);
      assert.ok(captured(two).includes(c), `round ${round}: collector 2 captured ${c}: ${JSON.stringify(two)}`);
      // B: one captured it, the other names who did.
      const takers = [one, two].filter((list) => captured(list).includes(b));
      assert.equal(takers.length, 1, `round ${round}: ${b} captured by exactly one collector: ${JSON.stringify([one, two])}`);
      const other = [one, two].find((list) => !captured(list).includes(b))!;
      const left = other.find((o) => o.vcenter === b);
      assert.ok(left?.ok && left.capturedBy && left.skipped, `round ${round}: the other collector says who captured ${b}: ${JSON.stringify(other)}`);
      assert.ok([one, two].flat().every((o) => o.ok), `round ${round}: nothing failed`);
    }
    const stored = await registry();
    for (const name of names) assert.deepEqual(stored.get(name), times, `${name}: one snapshot per round`);
    // job_runs: B's part of each round is ok in one collector's run and skipped, naming the other, in the other's.
    const parts = await store.all<{ status: string; n: number }>(sql`
      SELECT status, COUNT(*) AS n FROM job_runs WHERE job = 'snapshot' AND vcenter = ${b} GROUP BY status ORDER BY 1`);
    assert.deepEqual(parts.map((p) => [p.status, Number(p.n)]), [['ok', ROUNDS], ['skipped', ROUNDS]]);
    const reasons = await store.all<{ error: string }>(sql`SELECT error FROM job_runs WHERE job = 'snapshot' AND vcenter = ${b} AND status = 'skipped'`);
    // (by host:pid when this run met the other's lock, 'another vctp' when only its lock, not yet its
    // row, was seen, or when the other had finished before this one looked)
    for (const r of reasons) assert.match(r.error, new RegExp(`^captured at .* by ((${hostname()}:\\d+|another vctp) while this run waited for its lock|another vctp since this process started)$`));
    // status: B's last snapshot job is the one that captured it, not the skipped part.
    const status = await runVctp(['-s', settingsPaths[0]!, 'status', '--json']);
    const vcB = (JSON.parse(status.stdout) as { vcenters: { vcenter: string; lastSnapshotJob: { status: string } }[] }).vcenters.find((v) => v.vcenter === b);
    assert.equal(vcB?.lastSnapshotJob.status, 'ok');
  });

  it('plain runs started together: each vCenter captured once (the other finds it fresh under the lock)', { timeout: 300_000 }, async () => {
    const before = await registry();
    const [one, two] = (await both(['snapshot', '--json'])).map(outcomesOf) as [Outcome[], Outcome[]];
    const after = await registry();
    for (const name of names) {
      assert.equal(after.get(name)!.length, before.get(name)!.length + 1, `${name}: exactly one new snapshot: ${JSON.stringify([one, two])}`);
    }
    assert.ok([one, two].flat().every((o) => o.ok), JSON.stringify([one, two]));
    assert.ok(one.some((o) => o.vcenter === names[0] && o.summary) && two.some((o) => o.vcenter === names[2] && o.summary), 'A by collector 1, C by collector 2');
  });

  it('two `vctp aggregate daily` at once: every vCenter aggregated, one summary each, none failed, both exit 0', { timeout: 300_000 }, async () => {
    const results = await both(['aggregate', 'daily', '--date', DAY, '--json']);
    const outs = results.map((r) => {
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { skipped: boolean; outcomes?: { vcenter: string; ok: boolean; totalSamples: number }[]; byOthers?: { vcenter: string; holder: string; done: boolean }[] };
    });
    const aggregated = outs.flatMap((o) => o.outcomes ?? []);
    assert.ok(aggregated.every((o) => o.ok), JSON.stringify(outs));
    for (const name of names) {
      // By one of them, or by both one after the other (the second found its lock free: the same
      // rows again, idempotent); never left undone.
      assert.ok(aggregated.some((o) => o.vcenter === name), `${name} aggregated: ${JSON.stringify(outs)}`);
      const left = outs.flatMap((o) => o.byOthers ?? []).filter((o) => o.vcenter === name);
      assert.ok(left.every((o) => o.done), `${name}: whoever left it found it done: ${JSON.stringify(left)}`);
    }
    const rows = await store.all<{ name: string; n: number; samples: number }>(sql`
      SELECT v.name, COUNT(*) AS n, MAX(r.total_samples) AS samples FROM snapshot_registry r JOIN vcenters v ON v.id = r.vcenter_id
      WHERE r.kind = 'daily' AND r.snapshot_time = ${T0} GROUP BY v.name ORDER BY 1`);
    assert.deepEqual(
      rows.map((r) => [r.name, Number(r.n), Number(r.samples)]),
      [...names].sort().map((n) => [n, 1, ROUNDS]),
    );
  });

  it('a collector killed with SIGKILL while it holds a vCenter lock: status shows the lock, the next run takes the vCenter at once', { timeout: 300_000 }, async () => {
    const b = names[1]!;
    const lockName = `snapshot:${b}`;
    // Every page of B fails, and collector 1 waits 600 s before its retry: it holds B's lock meanwhile
    // (--force: B has a snapshot younger than half the interval from the plain round).
    await sims[1]!.failAfterPages(0, 0);
    const child = spawn(process.execPath, [VCTP_BIN, '-s', settingsPaths[0]!, 'snapshot', '--vcenter', b, '--force', '--retry-seconds', '600'], {
      env: { ...process.env, VCTP_SETTINGS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/snapshot attempt failed; retrying/.test(stderr)) resolve();
      });
      void exited.then(() => reject(new Error(`collector exited before holding the lock:\n${stderr}`)));
    });
    try {
      const [row] = await store.all<{ pid: number }>(sql`SELECT pid FROM job_locks WHERE name = ${lockName}`);
      assert.equal(Number(row?.pid), child.pid, 'the lock row names the collector');
      const status = await runVctp(['-s', settingsPaths[1]!, 'status', '--json']);
      assert.equal(status.code, 0, status.stderr);
      const running = (JSON.parse(status.stdout) as { running: { job: string; state: string; pid: number }[] }).running;
      assert.deepEqual(running.map((r) => [r.job, r.state, r.pid]), [[lockName, 'running', child.pid]]);
      const text = await runVctp(['-s', settingsPaths[1]!, 'status']);
      assert.match(text.stdout, new RegExp(`running: snapshot of ${b.replace(/\./g, '\\.')} \\(pid ${child.pid} on `));
      // Meanwhile collector 2 leaves B alone (lock wait 0), and says who has it.
      const busy = await runVctp(['-s', settingsPaths[1]!, 'snapshot', '--vcenter', b, '--force', '--lock-wait', '0', '--json']);
      assert.equal(busy.code, 0, busy.stderr);
      assert.deepEqual(JSON.parse(busy.stdout), { skipped: true, holder: `${hostname()}:${child.pid}` });
    } finally {
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      await sims[1]!.resetFaults();
    }
    // No waiting (--lock-wait 0): the server dropped the killed collector's lock with its session.
    const next = await runVctp(['-s', settingsPaths[1]!, 'snapshot', '--vcenter', b, '--force', '--lock-wait', '0', '--json']);
    const outcomes = outcomesOf(next);
    assert.deepEqual(outcomes.map((o) => [o.vcenter, o.ok, o.summary !== undefined]), [[b, true, true]], next.stdout);
    const after = await runVctp(['-s', settingsPaths[1]!, 'status', '--json']);
    assert.deepEqual((JSON.parse(after.stdout) as { running: unknown[] }).running, []);
  });
});
