// `vctp serve`: the HTTP API, UI pages and /metrics until SIGTERM or SIGINT, then a graceful stop:
// no new connections, the requests in flight finish (at most SHUTDOWN_GRACE_MS), what still runs
// is aborted (a job rolls back), and the database is closed. A clean stop exits 0.
import { VctpError } from '../../core/errors.js';
import { openServeRuntime } from '../../app/serve-runtime.js';
import type { RuntimeOptions } from '../../app/runtime.js';
import { buildApp } from '../../server/app.js';
import { createServerDeps } from '../../server/deps.js';
import { listen } from '../../server/listen.js';
import { ROUTES } from '../../server/route-table.js';

/** Within systemd's default TimeoutStopSec (90 s), with room for the database to close. */
export const SHUTDOWN_GRACE_MS = 30_000;

export interface ServeFlags {
  bindIp?: string;
  port?: string;
  /** --no-tls */
  tls?: boolean;
}

export async function serveCommand(globals: RuntimeOptions, flags: ServeFlags): Promise<void> {
  const port = flags.port === undefined ? undefined : parsePort(flags.port);
  const runtime = await openServeRuntime(globals);
  const { log } = runtime;
  try {
    const settings = { ...runtime.settings };
    if (flags.bindIp !== undefined) settings.bind_ip = flags.bindIp;
    if (port !== undefined) settings.bind_port = port;
    if (flags.tls === false) settings.bind_disable_tls = true;
    const app = buildApp(createServerDeps({ settings, log, ctx: runtime.ctx }), ROUTES);
    const server = await listen(app.fetch, settings);
    log.info({ url: server.url, database: runtime.ctx.store.description }, `vctp serve: listening on ${server.url}`);
    const signal = await runtime.stopRequested;
    log.info({ signal, graceSeconds: SHUTDOWN_GRACE_MS / 1000 }, `${signal}: stopping; requests in flight may finish (again to exit at once)`);
    const { drained } = await server.close(SHUTDOWN_GRACE_MS);
    if (!drained) log.warn('requests still in flight after the grace period were cut; their jobs roll back');
    runtime.abortInFlight(signal);
  } finally {
    await runtime.close();
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new VctpError('usage', `--port ${text}: expected a port number 0-65535 (0: any free port)`);
  }
  return port;
}
