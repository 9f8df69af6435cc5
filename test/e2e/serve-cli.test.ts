// The built `vctp serve` as an operator runs it: it listens (plain HTTP and TLS), refuses what it
// cannot serve with the setting named and exit 1, and stops gracefully on SIGTERM: a request in
// flight finishes, then the process exits 0.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runVctp, VCTP_BIN } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vctp-serve-cli-'));

function settingsFile(name: string, extra = ''): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(
    path,
    `settings:\n  database_url: ${join(dir, `${name}.sqlite3`)}\n  reports_dir: ${join(dir, `${name}-reports`)}\n  bind_ip: 127.0.0.1\n  log_output: json\n${extra}`,
  );
  return path;
}

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Starts `vctp serve` on a free port and waits for its "listening" log line. */
async function startServe(settings: string, args: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [VCTP_BIN, '-s', settings, 'serve', '--port', '0', ...args], { env: { ...process.env, VCTP_SETTINGS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /listening on (https?:\/\/\S+?)["\s]/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    void exited.then((code) => reject(new Error(`vctp serve exited ${code} before listening:\n${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}

describe('vctp serve (built binary)', () => {
  it('serves the API, the UI and /metrics over plain HTTP, and stops on SIGTERM with exit 0', async () => {
    const served = await startServe(settingsFile('plain'), ['--no-tls']);
    try {
      const vcenters = await fetch(`${served.url}/api/vcenters`);
      assert.equal(vcenters.status, 200);
      assert.match(vcenters.headers.get('content-type') ?? '', /application\/json/);
      const metrics = await fetch(`${served.url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /^# HELP vctp_/m);
      const home = await fetch(`${served.url}/`);
      assert.equal(home.status, 200);
      assert.match(home.headers.get('content-type') ?? '', /text\/html/);
      const missing = await fetch(`${served.url}/api/no-such-thing`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not-found');
    } finally {
      served.child.kill('SIGTERM');
    }
    assert.equal(await served.exited, 0, served.stderr());
  });

  it('lets a request in flight finish after SIGTERM, then exits 0', async () => {
    const served = await startServe(settingsFile('drain', '  enable_pprof: true\n'), ['--no-tls']);
    // A CPU profile takes the seconds it is asked for: in flight when the signal comes.
    const inFlight = fetch(`${served.url}/debug/pprof/profile?seconds=2`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    served.child.kill('SIGTERM');
    const response = await inFlight;
    assert.equal(response.status, 200);
    const profile = (await response.json()) as { nodes: unknown[] };
    assert.ok(profile.nodes.length > 0);
    assert.equal(await served.exited, 0, served.stderr());
    assert.match(served.stderr(), /SIGTERM: stopping/);
  });

  it('serves TLS from tls_cert_filename and tls_key_filename', async () => {
    const cert = join(dir, 'tls.crt');
    const key = join(dir, 'tls.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const served = await startServe(settingsFile('tls', `  tls_cert_filename: ${cert}\n  tls_key_filename: ${key}\n`));
    try {
      assert.match(served.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(`${served.url}/api/vcenters`, { ca: execFileSync('cat', [cert]) }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 200);
    } finally {
      served.child.kill('SIGTERM');
    }
    assert.equal(await served.exited, 0);
  });

  it('names the setting when it cannot listen: TLS file missing, port taken, address not on this host', async () => {
    const missing = await runVctp(['-s', settingsFile('no-tls-file', `  tls_cert_filename: ${join(dir, 'absent.crt')}\n  tls_key_filename: ${join(dir, 'absent.key')}\n`), 'serve']);
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /settings\.tls_cert_filename: \S+absent\.crt does not exist/);

    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const busy = await runVctp(['-s', settingsFile('busy'), 'serve', '--no-tls', '--port', String(port)]);
      assert.equal(busy.code, 1, busy.stderr);
      assert.match(busy.stderr, new RegExp(`settings\\.bind_port: 127\\.0\\.0\\.1:${port} is already in use`));
    } finally {
      taken.close();
    }

    const elsewhere = await runVctp(['-s', settingsFile('elsewhere'), 'serve', '--no-tls', '--bind-ip', '192.0.2.1']);
    assert.equal(elsewhere.code, 1, elsewhere.stderr);
    assert.match(elsewhere.stderr, /settings\.bind_ip: 192\.0\.2\.1 is not an address of this host/);

    const badPort = await runVctp(['-s', settingsFile('bad-port'), 'serve', '--port', 'http']);
    assert.equal(badPort.code, 1);
    assert.match(badPort.stderr, /--port http: expected a port number/);
  });
});
