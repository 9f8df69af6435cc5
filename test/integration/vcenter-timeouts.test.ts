// Nothing waits forever on a vCenter, and a failure no retry can fix is not retried. Against real
// sockets: a listener that accepts and never answers, and proxies in front of VMware's simulator
// that count every SOAP operation (or TCP connection) and can freeze part-way, as a hung vCenter
// does. With vcenter_request_timeout_seconds 1 and retries configured, the tests assert what was
// sent and how each vCenter's outcome reads, never how long anything took.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createConnection, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseSettings } from '../../src/config/index.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { runSnapshot, type SnapshotSettings, type VcenterOutcome } from '../../src/jobs/snapshot.js';
import type { Store } from '../../src/store/executor.js';
import { CLEANUP_TIMEOUT_MS } from '../../src/vcenter/vim-session.js';
import { VCTP_BIN } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

const USER = 'vctp-test';
const PASSWORD = 'Right-Passw0rd';
const T1 = 1_776_762_000; // 2026-04-21T09:00:00Z, before testContext's clock

/** A listener that accepts connections and never answers; counts the HTTP requests it received. */
interface FrozenListener {
  url: string;
  connections: number;
  requests: number;
  close(): Promise<void>;
}

async function startFrozenListener(): Promise<FrozenListener> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: 0 };
  const server = createTcpServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => (state.requests += chunk.toString('latin1').match(/^POST /gm)?.length ?? 0));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sdk`,
    get connections() {
      return state.connections;
    },
    get requests() {
      return state.requests;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An HTTP proxy in front of the (plain HTTP) simulator that counts operations and can freeze for good. */
interface SoapProxy {
  url: string;
  /** Requests received per SOAP operation, answered or not. */
  count(operation: string): number;
  /** Requests received after the freeze, per operation (none of them answered). */
  held(): Record<string, number>;
  close(): Promise<void>;
}

async function startProxy(target: URL, options: { freezeAt?: string } = {}): Promise<SoapProxy> {
  const counts = new Map<string, number>();
  const held: Record<string, number> = {};
  let frozen = false;
  const stalled = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = /<soapenv:Body><(\w+)/.exec(body.toString('utf8'))?.[1] ?? '?';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      if (operation === options.freezeAt) frozen = true;
      if (frozen) {
        held[operation] = (held[operation] ?? 0) + 1;
        stalled.add(res);
        res.on('close', () => stalled.delete(res));
        return; // never answered: a vCenter that stopped
      }
      const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    count: (operation) => counts.get(operation) ?? 0,
    held: () => ({ ...held }),
    close: async () => {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP pipe to `target` that counts connections (a TLS handshake cannot be read from outside). */
async function startTcpCounter(target: URL): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    connections++;
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}${target.pathname}`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function settingsFor(url: string, over: { hourly_snapshot_max_retries?: number; vcenter_ca_file?: string } = {}): SnapshotSettings {
  return {
    vcenter_addresses: [url],
    vcenter_username: USER,
    vcenter_insecure: false,
    vcenter_request_timeout_seconds: 1,
    hourly_snapshot_concurrency: 0,
    hourly_snapshot_retry_seconds: 0,
    hourly_snapshot_max_retries: 2,
    lock_wait_seconds: 5,
    vcenter_inventory_snapshot_seconds: 3600,
    tier_patterns: DEFAULT_TIER_PATTERNS,
    tenants_to_filter: [],
    node_charge_clusters: [],
    srm_activeactive_vms: [],
    ...over,
  };
}

function nameOf(url: string): string {
  return new URL(url).host;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('vCenter calls are bounded and hopeless failures are not retried', () => {
  let db: TestDatabase;
  let store: Store;
  let sim: Vcsim;
  let tlsSim: Vcsim;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vctp-vc-timeouts-'));
    [sim, tlsSim] = await Promise.all([
      startVcsim({ tls: false, dc: 1, cluster: 1, host: 1, vm: 8, pageSize: 3, username: USER, password: PASSWORD }),
      startVcsim({ dc: 1, cluster: 1, host: 1, vm: 2, certDir: join(dir, 'tls'), username: USER, password: PASSWORD }),
    ]);
    db = await createTestDatabase('sqlite');
    store = await db.open();
  });
  after(async () => {
    await store?.close();
    await db?.drop();
    await Promise.all([sim?.stop(), tlsSim?.stop()]);
  });

  const snapshot = async (settings: SnapshotSettings, password = PASSWORD): Promise<VcenterOutcome> => {
    const result = await runSnapshot(testContext(store), settings, { at: T1, password });
    assert.ok(!result.skipped);
    if (result.skipped) throw new Error('skipped');
    assert.equal(result.outcomes.length, 1);
    return result.outcomes[0]!;
  };

  it('defaults vcenter_request_timeout_seconds to 60 and bounds clean-up calls tighter', () => {
    assert.equal(parseSettings('settings:\n', 'vctp.yml').settings.vcenter_request_timeout_seconds, 60);
    assert.ok(CLEANUP_TIMEOUT_MS <= 5000);
  });

  it('a vCenter that accepts and never answers: each attempt times out once, then the retries do the same', async () => {
    const frozen = await startFrozenListener();
    try {
      const outcome = await snapshot(settingsFor(frozen.url));
      assert.equal(outcome.ok, false);
      assert.equal(outcome.attempts, 3);
      assert.match(outcome.error!, new RegExp(`^vCenter ${escape(nameOf(frozen.url))}: RetrieveServiceContent timed out after 1 s`));
      assert.doesNotMatch(outcome.error!, /not retried/);
      // One request per attempt: no session was opened, so there is nothing to clean up.
      assert.equal(frozen.requests, 3);
    } finally {
      await frozen.close();
    }
  });

  it('a vCenter that freezes mid-collection: the call times out, one bounded clean-up call is tried, the rest skipped', async () => {
    const proxy = await startProxy(new URL(sim.url), { freezeAt: 'ContinueRetrievePropertiesEx' });
    try {
      const outcome = await snapshot(settingsFor(proxy.url, { hourly_snapshot_max_retries: 0 }));
      assert.equal(outcome.ok, false);
      assert.equal(outcome.attempts, 1);
      assert.match(
        outcome.error!,
        new RegExp(`^vCenter ${escape(nameOf(proxy.url))}: ContinueRetrievePropertiesEx timed out after 1 s \\(no answer; settings\\.vcenter_request_timeout_seconds\\)$`),
      );
      // The page that never came, then CancelRetrievePropertiesEx (the first clean-up call, bounded);
      // once that got no answer either, DestroyView and Logout were not sent: the session expires on the server.
      assert.deepEqual(proxy.held(), { ContinueRetrievePropertiesEx: 1, CancelRetrievePropertiesEx: 1 });
      assert.equal(proxy.count('DestroyView'), 0);
      assert.equal(proxy.count('Logout'), 0);
      assert.equal(proxy.count('Login'), 1);
    } finally {
      await proxy.close();
    }
  });

  it('with retries, a vCenter that froze for good costs each later attempt one timed-out call', async () => {
    const proxy = await startProxy(new URL(sim.url), { freezeAt: 'ContinueRetrievePropertiesEx' });
    try {
      const outcome = await snapshot(settingsFor(proxy.url, { hourly_snapshot_max_retries: 2 }));
      assert.equal(outcome.ok, false);
      assert.equal(outcome.attempts, 3);
      assert.match(outcome.error!, new RegExp(`^vCenter ${escape(nameOf(proxy.url))}: RetrieveServiceContent timed out after 1 s`));
      assert.deepEqual(proxy.held(), { ContinueRetrievePropertiesEx: 1, CancelRetrievePropertiesEx: 1, RetrieveServiceContent: 2 });
      assert.equal(proxy.count('Login'), 1);
      assert.equal(proxy.count('DestroyView') + proxy.count('Logout'), 0);
    } finally {
      await proxy.close();
    }
  });

  it('a vCenter that answers is captured through the same proxy (the counting proxy is transparent)', async () => {
    const proxy = await startProxy(new URL(sim.url));
    try {
      const outcome = await snapshot(settingsFor(proxy.url));
      assert.equal(outcome.ok, true, outcome.error);
      assert.equal(outcome.summary!.vmCount, sim.info.vms);
      assert.equal(proxy.count('Logout'), 1);
      assert.equal(proxy.count('DestroyView'), proxy.count('CreateContainerView'));
    } finally {
      await proxy.close();
    }
  });

  it('an event history that never answers costs the optional event times, not the snapshot', async () => {
    // Creation events are looked up for new VMs without config.createDate (the simulator has some).
    const proxy = await startProxy(new URL(sim.url), { freezeAt: 'QueryEvents' });
    try {
      const outcome = await snapshot(settingsFor(proxy.url, { hourly_snapshot_max_retries: 0 }));
      assert.equal(outcome.ok, true, outcome.error);
      assert.equal(outcome.summary!.vmCount, sim.info.vms);
      // The lookups in flight when it stopped, then the Logout (bounded); nothing else was sent.
      const held = proxy.held();
      assert.ok((held['QueryEvents'] ?? 0) >= 1, JSON.stringify(held));
      assert.deepEqual(Object.keys(held).sort(), ['Logout', 'QueryEvents']);
      assert.equal(held['Logout'], 1);
    } finally {
      await proxy.close();
    }
  });

  it('a wrong password is tried once, whatever the retries (InvalidLogin: not retried)', async () => {
    const proxy = await startProxy(new URL(sim.url));
    try {
      const outcome = await snapshot(settingsFor(proxy.url, { hourly_snapshot_max_retries: 3 }), 'Wrong-Passw0rd');
      assert.equal(outcome.ok, false);
      assert.equal(outcome.attempts, 1);
      assert.equal(proxy.count('Login'), 1);
      assert.match(outcome.error!, new RegExp(`^vCenter ${escape(nameOf(proxy.url))}: login failed for user ${USER} \\(InvalidLogin`));
      assert.match(outcome.error!, /; not retried: authentication failed$/);
      assert.doesNotMatch(outcome.error!, /Wrong-Passw0rd/);
    } finally {
      await proxy.close();
    }
  });

  it('an untrusted certificate is tried once, whatever the retries (not retried: set vcenter_ca_file)', async () => {
    const pipe = await startTcpCounter(new URL(tlsSim.url));
    try {
      const outcome = await snapshot(settingsFor(pipe.url, { hourly_snapshot_max_retries: 3 }));
      assert.equal(outcome.ok, false);
      assert.equal(outcome.attempts, 1);
      assert.equal(pipe.connections(), 1);
      assert.match(outcome.error!, new RegExp(`^vCenter ${escape(nameOf(pipe.url))}: TLS certificate verification failed during RetrieveServiceContent`));
      assert.match(outcome.error!, /; not retried: certificate not trusted: set vcenter_ca_file$/);

      // The same vCenter with its CA trusted is captured through the same pipe.
      const trusted = await snapshot(settingsFor(pipe.url, { vcenter_ca_file: tlsSim.caFile! }));
      assert.equal(trusted.ok, true, trusted.error);
    } finally {
      await pipe.close();
    }
  });

  it('the built CLI reads vcenter_request_timeout_seconds and exits 2 with the timeout in --json', async () => {
    const frozen = await startFrozenListener();
    const dir = mkdtempSync(join(tmpdir(), 'vctp-vc-timeouts-cli-'));
    const settings = join(dir, 'vctp.yml');
    writeFileSync(
      settings,
      [
        'settings:',
        `  database_url: ${join(dir, 'db.sqlite3')}`,
        '  log_output: json',
        `  vcenter_addresses: [ "${frozen.url}" ]`,
        `  vcenter_username: ${USER}`,
        `  vcenter_password: ${PASSWORD}`,
        '  encryption_key: test-key',
        '  vcenter_request_timeout_seconds: 1',
        '',
      ].join('\n'),
    );
    try {
      const exit = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [VCTP_BIN, '-s', settings, 'snapshot', '--json', '--max-retries', '1', '--retry-seconds', '0'], {
          env: { ...process.env, VCTP_SETTINGS: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 60_000, // a hang fails the test instead of the suite
          killSignal: 'SIGKILL',
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      });
      assert.equal(exit.signal, null, `vctp hung and was killed:\n${exit.stderr}`);
      assert.equal(exit.code, 2, exit.stderr);
      const outcome = (JSON.parse(exit.stdout) as { outcomes: VcenterOutcome[] }).outcomes[0]!;
      assert.equal(outcome.attempts, 2);
      assert.match(outcome.error!, /RetrieveServiceContent timed out after 1 s/);
      assert.equal(frozen.requests, 2);
    } finally {
      await frozen.close();
    }
  });
});
