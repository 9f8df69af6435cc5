// `vctp serve`'s app on a real test database (SQLite or PostgreSQL), for `app.request()` tests, and
// on a real loopback socket when a test needs one (a browser, a second process).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Settings } from '../../src/app/runtime.js';
import { parseSettings } from '../../src/config/parse-settings.js';
import type { JobContext } from '../../src/jobs/context.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/executor.js';
import { buildApp, type ServerApp } from '../../src/server/app.js';
import { createServerDeps, type ServerDeps } from '../../src/server/deps.js';
import { listen, type RunningServer } from '../../src/server/listen.js';
import type { RouteEntry } from '../../src/server/route-kinds.js';
import { createTestDatabase, type Engine, type TestDatabase } from './db.js';

export interface TestServer {
  app: ServerApp;
  deps: ServerDeps;
  db: TestDatabase;
  store: Store;
  ctx: JobContext;
  settings: Settings;
  /** Every log line the app wrote (JSON lines), for tests that scan them. */
  logLines(): string[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  engine?: Engine;
  /** Settings on top of the defaults (the database's are set by the helper; reports_dir defaults to a temp dir). */
  settings?: Partial<Settings>;
  /** The clock (unix ms); default now. */
  now?: number;
  /** An existing database (e.g. seeded by the test) instead of a fresh one. */
  db?: TestDatabase;
  /** Only these routes (built with api(), rawRoute(), ui() of src/server/route-kinds.ts); default the whole route table. */
  routes?: readonly RouteEntry[];
}

/** Default settings as a file with no keys would give them. */
export function defaultSettings(): Settings {
  return parseSettings('settings:\n', 'test.yml').settings;
}

export function captureLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', output: 'json', destination: sink }), lines };
}

export async function serverForTest(options: TestServerOptions = {}): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase(options.engine ?? 'sqlite'));
  const store = await db.open();
  const settings: Settings = {
    ...defaultSettings(),
    reports_dir: mkdtempSync(join(tmpdir(), 'vctp-serve-reports-')),
    ...options.settings,
    database_driver: db.settings.database_driver,
    database_url: db.settings.database_url,
  } as Settings;
  const { log, lines } = captureLogger();
  const now = options.now;
  const ctx: JobContext = { store, log, now: now === undefined ? Date.now : () => now };
  const deps = createServerDeps({ settings, log, ctx });
  // The table is imported only when used, so a test of a few routes does not load every module.
  const routes = options.routes ?? (await import('../../src/server/route-table.js')).ROUTES;
  const app = buildApp(deps, routes);
  return {
    app,
    deps,
    db,
    store,
    ctx,
    settings,
    logLines: () => [...lines],
    close: async () => {
      await store.close();
      if (!options.db) await db.drop();
    },
  };
}

/** The app on 127.0.0.1 with a free port, plain HTTP. */
export async function listenForTest(server: TestServer): Promise<RunningServer> {
  return listen(server.app.fetch, { ...server.settings, bind_ip: '127.0.0.1', bind_port: 0, bind_disable_tls: true });
}
