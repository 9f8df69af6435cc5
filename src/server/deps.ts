// What every route, page and middleware of `vctp serve` receives. Built once per server by
// src/app/serve-runtime.ts (settings, logger, store) and src/server/app.ts (auth, request metrics).
import type { Settings } from '../app/runtime.js';
import type { JobContext } from '../jobs/context.js';
import type { Logger } from '../log/logger.js';
import type { QueryContext } from '../queries/context.js';
import { AnswerCache } from './answer-cache.js';
import { createAuthServices, type AuthServices } from './auth/services.js';
import { createRequestMetrics, type RequestMetrics } from './request-metrics.js';

export interface ServerDeps {
  settings: Settings;
  log: Logger;
  /** For src/queries/*: the store, the logger, the clock. */
  query: QueryContext;
  /** For src/jobs/*: as query, plus the server's shutdown signal (a job in flight rolls back at it). */
  job: JobContext;
  /** Wall clock, unix milliseconds. */
  now: () => number;
  auth: AuthServices;
  requestMetrics: RequestMetrics;
  /** Answers reused until the next job run ends (answer-cache.ts); one per app. */
  answers: AnswerCache;
}

/** The deps of a server over a runtime's context (src/app/serve-runtime.ts) or a test's. */
export function createServerDeps(runtime: { settings: Settings; log: Logger; ctx: JobContext }): ServerDeps {
  return {
    settings: runtime.settings,
    log: runtime.log,
    query: runtime.ctx,
    job: runtime.ctx,
    now: runtime.ctx.now,
    auth: createAuthServices(runtime.settings, runtime.log, { now: runtime.ctx.now }),
    requestMetrics: createRequestMetrics(),
    answers: new AnswerCache(),
  };
}
