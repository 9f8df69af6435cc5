// A directory vctp must create but cannot is a clear error at once, never a hang. Under /proc,
// mkdir of a name the kernel does not know answers ENOENT although the parent exists, and Node's
// recursive mkdir then loops forever at 100% CPU (src/core/directory-walk.ts says why). The built
// binary is run with reports_dir and database_url there; a child still running after 30 s is
// killed (the failure mode of a hang: this suite never hangs), and the test asserts how it exited
// and what it said, never how long it took. Needs `npm run build`; Linux (/proc).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { openStore } from '../../src/store/open-store.js';
import { VCTP_BIN } from '../helpers/cli.js';
import { seedReportFleet } from '../integration/report-fixture.js';

/** Past this, vctp is taken to hang: killed with SIGKILL (a synchronous spin ignores SIGTERM's handler). */
const HANG_MS = 30_000;
const UNDER_PROC = '/proc/1/nonexistent';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runBounded(args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VCTP_BIN, ...args], {
      env: { ...process.env, VCTP_SETTINGS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: HANG_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function assertNotHung(exit: Exit): void {
  assert.equal(exit.signal, null, `vctp did not exit within ${HANG_MS / 1000} s and was killed (a hang):\n${exit.stderr}`);
}

describe('directories vctp cannot create (built binary)', { skip: existsSync('/proc/1') ? false : 'needs Linux /proc' }, () => {
  let dir: string;
  let dbPath: string;

  before(async () => {
    assert.equal(existsSync(UNDER_PROC), false, `${UNDER_PROC} exists on this host`);
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-dirs-'));
    dbPath = join(dir, 'db.sqlite3');
    const store = await openStore({ database_driver: 'sqlite', database_url: dbPath });
    try {
      await seedReportFleet(store);
    } finally {
      await store.close();
    }
  });

  const settings = (name: string, lines: string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, ['settings:', '  log_output: json', ...lines, ''].join('\n'));
    return path;
  };

  it('reports_dir under /proc: exit 1 at once, naming settings.reports_dir and the directory', async () => {
    const file = settings('reports.yml', [`  database_url: ${dbPath}`, `  reports_dir: ${UNDER_PROC}/reports`]);
    const exit = await runBounded(['-s', file, 'report', 'hourly']);
    assertNotHung(exit);
    assert.equal(exit.code, 1, exit.stderr);
    assert.match(
      exit.stderr,
      /settings\.reports_dir: cannot create the report directory \/proc\/1\/nonexistent\/reports\/hourly \(ENOENT: \/proc\/1\/nonexistent cannot be created although \/proc\/1 exists/,
    );
  });

  it('report pending (the timers\' command) stops at the first report the same way', async () => {
    const file = settings('pending.yml', [`  database_url: ${dbPath}`, `  reports_dir: ${UNDER_PROC}/reports`]);
    const exit = await runBounded(['-s', file, 'report', 'pending']);
    assertNotHung(exit);
    assert.equal(exit.code, 1, exit.stderr);
    assert.match(exit.stderr, /settings\.reports_dir: cannot create the report directory \/proc\/1\/nonexistent\/reports\/\w+ \(ENOENT: /);
  });

  // A job's SQLite store creates its database's directory with the bounded walk (src/store/sqlite-store.ts);
  // a read-only command creates nothing, so a writing one (db migrate) is the case here.
  it('database_url under /proc: exit 4 at once, naming settings.database_url and the directory', async () => {
    const file = settings('database.yml', [`  database_url: ${UNDER_PROC}/db.sqlite3`, `  reports_dir: ${join(dir, 'reports')}`]);
    const exit = await runBounded(['-s', file, 'db', 'migrate']);
    assertNotHung(exit);
    assert.equal(exit.code, 4, exit.stderr);
    assert.match(exit.stderr, /settings\.database_url/);
    assert.match(exit.stderr, /\/proc\/1\/nonexistent cannot be created although \/proc\/1 exists/);
  });
});
