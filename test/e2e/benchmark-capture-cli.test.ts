// `vctp benchmark capture` as a user runs it (the built bin/vctp: `npm run build` first): it starts
// VMware's simulators itself, captures twice into a scratch database beside the raw-bytes floor,
// and leaves no simulator running, whether it succeeds or is stopped by SIGTERM. No figure is
// asserted as a time: only that each was measured and that the ratio is the one of the figures.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVctp, VCTP_BIN } from '../helpers/cli.js';
import { buildVcsim } from '../helpers/vcsim.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ESRCH');
    return false;
  }
}

/** A process that exited but was not reaped yet still answers kill(0): wait for it to go. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

describe('vctp benchmark capture (built binary, simulators it starts)', () => {
  let dir: string;
  let settings: string;
  let operatorDb: string;

  before(async () => {
    // The command's default binary is the checkout's test/vcsim/vcsim: make sure it is built.
    await buildVcsim();
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-bench-capture-'));
    operatorDb = join(dir, 'operator.sqlite3');
    settings = join(dir, 'vctp.yml');
    writeFileSync(settings, `settings:\n  database_url: ${operatorDb}\n  log_output: json\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('captures 2,400 VMs across 2 simulators twice, each beside its floor, and stops the simulators', async () => {
    // 1,200 VMs per vCenter: two VM pages of at most 1,000, so the floor follows a continuation token.
    const result = await runVctp(['-s', settings, 'benchmark', 'capture', '--vms', '2400', '--vcenters', '2', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      vcenters: number;
      vms: number;
      vms_per_vcenter: number[];
      simulator: { pids: number[] };
      database: string;
      captures: Record<string, number | string>[];
      goal: { ratio: number; met: boolean };
      load_average: { start: number; end: number };
    };
    assert.equal(report.vcenters, 2);
    assert.deepEqual(report.vms_per_vcenter, [1200, 1200]);
    assert.equal(report.vms, 2400);
    assert.deepEqual(
      report.captures.map((c) => [c.kind, c.vms, c.added, c.unchanged]),
      [
        ['first', 2400, 2400, 0],
        ['next-hour', 2400, 0, 2400],
      ],
    );
    for (const c of report.captures) {
      for (const key of ['wall_s', 'cpu_s', 'peak_rss_mb', 'floor_s', 'floor_mb']) {
        assert.ok(typeof c[key] === 'number' && c[key] > 0, `${c.kind}: ${key} = ${c[key]}`);
      }
      assert.equal(c.ratio, Math.round(((c.wall_s as number) / (c.floor_s as number)) * 100) / 100, `${c.kind}: ratio`);
      assert.ok((c.cpu_s as number) >= (c.cpu_user_s as number), `${c.kind}: cpu_s includes user time`);
      // Per vCenter: the VMs in 2 pages (token followed), the placement tree in 1.
      assert.equal(c.floor_pages, 6, `${c.kind}: floor pages`);
    }
    assert.equal(report.goal.met, report.captures.every((c) => (c.ratio as number) <= report.goal.ratio));
    // The scratch database is gone, and the operator's (settings.database_url) was never created.
    assert.equal(existsSync(report.database), false, report.database);
    assert.equal(existsSync(operatorDb), false);
    assert.equal(report.simulator.pids.length, 2);
    for (const pid of report.simulator.pids) assert.ok(await gone(pid), `simulator ${pid} still running`);

    const table = await runVctp(['-s', settings, 'benchmark', 'capture', '--vms', '100', '--vcenters', '1']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /x floor/);
    assert.match(table.stdout, /first \(all new\)/);
    assert.match(table.stdout, /goal \(wall <= 2x floor\): (met|missed)/);
  });

  it('says where the simulator is missing and how to build it, with exit 1', async () => {
    const missing = join(dir, 'no-such-vcsim');
    const result = await runVctp(['-s', settings, 'benchmark', 'capture', '--vms', '100', '--vcsim', missing]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`simulator not found at ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(result.stderr, /scripts\/build-vcsim\.sh/);
    assert.equal(result.stdout, '');
  });

  it('stops the simulators on SIGTERM and exits 143', async () => {
    const child = spawn(process.execPath, [VCTP_BIN, '-s', settings, 'benchmark', 'capture', '--vms', '2000', '--vcenters', '2', '--json'], {
      env: { ...process.env, VCTP_SETTINGS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const pids = await new Promise<number[]>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        for (const line of stderr.split('\n')) {
          if (!line.startsWith('{')) continue;
          const entry = JSON.parse(line) as { msg?: string; started?: number; pids?: number[] };
          if (entry.msg === 'simulators up' && entry.started === 2) return resolve(entry.pids!);
        }
      });
      child.once('close', (code) => reject(new Error(`exited ${code} before the simulators were up:\n${stderr}`)));
    });
    assert.equal(pids.length, 2);
    for (const pid of pids) assert.ok(alive(pid), `simulator ${pid} should be running before the signal`);
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 143, stderr);
    for (const pid of pids) assert.ok(await gone(pid), `simulator ${pid} still running after SIGTERM`);
  });
});
