// Start and stop VMware's vCenter simulator (govmomi 0.24 + our main in test/vcsim/) from tests.
// The binary is built once per process by scripts/build-vcsim.sh. It listens on a free port and
// prints one JSON line; startVcsim reads it. See test/vcsim/README.md for the inventory's shape.
//
// Fault injection (for "a collection cut mid-way leaves the DB untouched"): a dropped page request
// gets no HTTP response, the TCP connection is closed (the client sees ECONNRESET / "socket hang
// up"). Either start with `failAfterPages` (drop the request after N served RetrievePropertiesEx +
// ContinueRetrievePropertiesEx pages, counted from startup, including task polls), or arm at
// run time: `failNextContinue()` drops the next ContinueRetrievePropertiesEx only (the usual choice:
// it needs no page arithmetic), `failAfterPages(n)` counts from the call. `resetFaults()` disarms.
//
// Custom attributes and tags (test/vcsim/attributes.go): `attributes: true` gives VMs values (the
// default inventory has none); the vAPI tagging endpoint is served unless `vapi: false`.
// `failVapi(times)` answers the next vAPI requests with HTTP 503 (0: all until `resetVapi()`);
// `vapiStats()` counts the requests.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface VcsimOptions {
  /** datacenters (default 1) */
  dc?: number;
  /** clusters per datacenter (default 2) */
  cluster?: number;
  /** hosts per cluster (default 2) */
  host?: number;
  /** standalone hosts per datacenter (default 1) */
  standaloneHost?: number;
  /** VMs per cluster and per standalone host, as govmomi's model counts (default 20) */
  vm?: number;
  /** templates per cluster (default 1) */
  templates?: number;
  /** SRM placeholder VMs per cluster (default 1) */
  srmPlaceholders?: number;
  /** seed for sizes, power states, dates (default 1) */
  seed?: number;
  /** reference unix time for createDate values (default: today 00:00 UTC) */
  now?: number;
  /** serve https (default true) */
  tls?: boolean;
  /** write ca.pem/server.pem/server-key.pem here (CA-signed cert for 127.0.0.1, ::1, localhost) */
  certDir?: string;
  /** with password: the only pair that may log in (else any non-empty pair; reported as user/pass) */
  username?: string;
  password?: string;
  /** cap every RetrievePropertiesEx/Continue page at this many objects, whatever maxObjects says */
  pageSize?: number;
  /** drop the connection of the page request that follows N served pages (counted from startup) */
  failAfterPages?: number;
  /** how many page requests to drop once failAfterPages triggers (default 1; 0 = all following) */
  failTimes?: number;
  /** set config.createDate on VMs made by CreateVM_Task at run time (default true) */
  createDateOnCreate?: boolean;
  /** expire idle sessions (seconds; default never) */
  sessionTimeoutSeconds?: number;
  /** log SOAP traffic to the simulator's stderr */
  trace?: boolean;
  /** give VMs custom attributes (Tenant, Owner) and tags (CostCentre, Environment); default false */
  attributes?: boolean;
  /** serve the vAPI tagging endpoint under /rest/ (default true; false: a server without tagging) */
  vapi?: boolean;
  /** also serve the /api flavour (vCenter 7.0 U2+), translated onto /rest (default false) */
  vapiApi?: boolean;
  /** listen address (default 127.0.0.1:0) */
  listen?: string;
  /** more raw flags for the binary */
  extraArgs?: string[];
  /** how long to wait for the JSON line (default 180 s: 10,000 VMs take ~8 s, a cold build ~20 s) */
  startTimeoutMs?: number;
  /** binary to run instead of building test/vcsim/vcsim */
  binary?: string;
}

/** The JSON line the simulator prints once it listens. */
export interface VcsimInfo {
  url: string;
  username: string;
  password: string;
  ca_file?: string;
  vms: number;
  templates: number;
  srm_placeholders: number;
  datacenters: number;
  clusters: number;
  hosts: number;
  page_size: number;
  control: string;
  pid: number;
  startup_ms: number;
  attributes: boolean;
  vapi: boolean;
}

export interface VapiStats {
  requests: number;
  failed: number;
  /** -1: failing every request until reset */
  pending_failures: number;
}

export interface VcsimStats {
  pages_served: number;
  dropped: number;
  open_tokens: number;
  fail_after_pages: number;
  fail_times: number;
  served_since_armed: number;
  dropped_since_armed: number;
  pending_continue_drops: number;
  page_size: number;
}

export interface Vcsim {
  /** https://127.0.0.1:PORT/sdk */
  url: string;
  username: string;
  password: string;
  /** PEM file to trust (a CA with certDir, else the simulator's built-in self-signed cert) */
  caFile?: string;
  /** contents of caFile, read at startup (the built-in cert's file is removed on stop) */
  ca?: string;
  info: VcsimInfo;
  stats(): Promise<VcsimStats>;
  failNextContinue(times?: number): Promise<VcsimStats>;
  failAfterPages(pages: number, times?: number): Promise<VcsimStats>;
  resetFaults(): Promise<VcsimStats>;
  vapiStats(): Promise<VapiStats>;
  /** answer the next `times` vAPI requests with HTTP 503 (0: every one until resetVapi) */
  failVapi(times?: number): Promise<VapiStats>;
  resetVapi(): Promise<VapiStats>;
  /** the simulator's stderr so far (last 64 KiB), for failure messages */
  logs(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. Idempotent. */
  stop(): Promise<void>;
}

let built: Promise<string> | undefined;

/** Builds test/vcsim/vcsim when missing or stale (once per process); resolves to its path. */
export function buildVcsim(): Promise<string> {
  built ??= new Promise<string>((resolvePath, reject) => {
    execFile(
      'bash',
      [resolve(repoRoot, 'scripts/build-vcsim.sh')],
      { cwd: repoRoot, timeout: 15 * 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          built = undefined;
          reject(new Error(`scripts/build-vcsim.sh failed: ${err.message}\n${stderr}`));
          return;
        }
        const path = stdout.trim().split('\n').pop();
        if (!path) reject(new Error('scripts/build-vcsim.sh printed no path'));
        else resolvePath(path);
      },
    );
  });
  return built;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous work is possible here. SIGTERM lets the simulator remove its temp files;
  // it also exits on stdin EOF and on our death (PR_SET_PDEATHSIG) should this never run.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGTERM');
  });
}

function flags(o: VcsimOptions): string[] {
  const args: string[] = ['-exit-on-stdin-eof'];
  const num = (flag: string, v: number | undefined): void => {
    if (v !== undefined) args.push(`-${flag}`, String(v));
  };
  const str = (flag: string, v: string | undefined): void => {
    if (v !== undefined) args.push(`-${flag}`, v);
  };
  const bool = (flag: string, v: boolean | undefined): void => {
    if (v !== undefined) args.push(`-${flag}=${v}`);
  };
  str('listen', o.listen);
  num('dc', o.dc);
  num('cluster', o.cluster);
  num('host', o.host);
  num('standalone-host', o.standaloneHost);
  num('vm', o.vm);
  num('templates', o.templates);
  num('srm-placeholders', o.srmPlaceholders);
  num('seed', o.seed);
  num('now', o.now);
  bool('tls', o.tls);
  str('cert-dir', o.certDir);
  if ((o.username === undefined) !== (o.password === undefined)) {
    throw new Error('startVcsim: username and password go together');
  }
  str('username', o.username);
  str('password', o.password);
  num('page-size', o.pageSize);
  num('fail-after-pages', o.failAfterPages);
  num('fail-times', o.failTimes);
  bool('create-date-on-create', o.createDateOnCreate);
  if (o.sessionTimeoutSeconds !== undefined) args.push('-session-timeout', `${o.sessionTimeoutSeconds}s`);
  if (o.trace) args.push('-trace');
  bool('attributes', o.attributes);
  bool('vapi', o.vapi);
  bool('vapi-api', o.vapiApi);
  args.push(...(o.extraArgs ?? []));
  return args;
}

/** Starts a simulator; resolves once it listens. Always stop() it (an `after` hook). */
export async function startVcsim(opts: VcsimOptions = {}): Promise<Vcsim> {
  const args = flags(opts);
  const binary = opts.binary ?? (await buildVcsim());
  installExitHook();

  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-65536);
  });
  // 'error' without 'exit' happens when the binary cannot be spawned at all.
  const exited = new Promise<void>((done) => {
    const gone = (): void => {
      running.delete(child);
      done();
    };
    child.once('exit', gone);
    child.once('error', gone);
  });

  let info: VcsimInfo;
  try {
    info = await readReadyLine(child, exited, opts.startTimeoutMs ?? 180_000, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }

  // A forgotten stop() must not keep the test process alive; the exit hook still stops it.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  const ca = info.ca_file ? readFileSync(info.ca_file, 'utf8') : undefined;
  const control = <T = VcsimStats>(path: string, method: 'GET' | 'POST' = 'POST'): Promise<T> =>
    controlRequest<T>(info.control + path, method, ca);

  let stopping: Promise<void> | undefined;
  return {
    url: info.url,
    username: info.username,
    password: info.password,
    caFile: info.ca_file,
    ca,
    info,
    stats: () => control('stats', 'GET'),
    failNextContinue: (times = 1) => control(`fail-next-continue?times=${times}`),
    failAfterPages: (pages, times = 1) => control(`fail-after-pages?n=${pages}&times=${times}`),
    resetFaults: () => control('reset-faults'),
    vapiStats: () => control<VapiStats>('vapi/stats', 'GET'),
    failVapi: (times = 1) => control<VapiStats>(`vapi/fail?times=${times}`),
    resetVapi: () => control<VapiStats>('vapi/reset'),
    logs: () => stderr,
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

function readReadyLine(
  child: ChildProcess,
  exited: Promise<void>,
  timeoutMs: number,
  stderr: () => string,
): Promise<VcsimInfo> {
  return new Promise<VcsimInfo>((resolveInfo, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lines.close();
      reject(new Error(`vcsim ${why}\n--- vcsim stderr ---\n${stderr()}`));
    };
    const timer = setTimeout(() => fail(`printed no JSON line within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    void exited.then(() => fail(`exited (code ${child.exitCode}, signal ${child.signalCode}) before listening`));
    lines.once('line', (line) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        resolveInfo(JSON.parse(line) as VcsimInfo);
      } catch {
        reject(new Error(`vcsim printed a non-JSON line: ${line}\n${stderr()}`));
      }
      // Keep draining stdout so the child never blocks on a full pipe.
      lines.on('line', () => {});
    });
  });
}

function controlRequest<T>(url: string, method: 'GET' | 'POST', ca: string | undefined): Promise<T> {
  return new Promise<T>((resolveStats, reject) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(u, { method, ...(ca ? { ca } : {}), agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`vcsim ${method} ${u.pathname}: ${res.statusCode} ${body}`));
        else resolveStats(JSON.parse(body) as T);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
