// The HTTP application of `vctp serve`: the route table (route-table.ts) turned into hono routes,
// with the request metrics, the legacy gate, the auth guard and request validation in front of every
// handler, and one error handler (http-errors.ts). Tests call `app.request()` on it; src/server/
// listen.ts puts it on a socket.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isVctpError, type VctpError } from '../core/errors.js';
import { toJsonShape } from '../queries/json-shape.js';
import { peerAddress } from './auth/audit.js';
import { createGuard } from './auth/guard.js';
import type { ServerDeps } from './deps.js';
import { errorBodySchema } from './error-schema.js';
import { errorResponse, statusFor } from './http-errors.js';
import { serveOpenApiDocumentOf } from './openapi-document.js';
import type { Access, OperationInput, ServerEnv } from './operation.js';
import type { ApiRoute, RawRoute, RouteEntry, UiRoute } from './route-kinds.js';
import { UNMATCHED_ROUTE } from './request-metrics.js';
import { errorPage } from './ui/error-page.js';
import { validationMessage } from './validation-message.js';

export type ServerApp = OpenAPIHono<AppEnv>;

interface AppEnv {
  Variables: ServerEnv['Variables'] & { routeLabel: string };
}

/**
 * Builds the app on `deps` with `routes` (the route table, ROUTES in route-table.ts; tests may pass
 * a part of it). Entries whose `when` is false for the settings are left out entirely (a disabled
 * debug endpoint is a 404, not a 403).
 */
export function buildApp(deps: ServerDeps, routes: readonly RouteEntry[]): ServerApp {
  const app = new OpenAPIHono<AppEnv>({
    // A request that fails its schema: 400 naming the first field at fault, in words.
    defaultHook: (result, c) => {
      if (result.success) return;
      const { field, message } = validationMessage(result.target, result.error, (result as { data?: unknown }).data);
      return errorResponse(400, 'usage', message, { field }) as never;
    },
  });
  const guard = createGuard(deps);

  app.use('*', measure(deps));
  for (const route of routes) {
    if (route.kind !== 'ui' && route.when && !route.when(deps.settings)) continue;
    if (route.kind === 'api') addApiRoute(app, deps, route, guard(route.access));
    else if (route.kind === 'raw') addRawRoute(app, deps, route, guard(route.access));
    else addPage(app, deps, route, guard('public'));
  }
  app.notFound((c) => errorResponse(404, 'not-found', `no such endpoint: ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error, c) => answerError(deps, c, error));
  serveOpenApiDocumentOf(deps, app);
  return app;
}

/** Counts and times every request by its route's pattern (set by the route's first middleware). */
function measure(deps: ServerDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.requestMetrics.observe(c.req.method, c.get('routeLabel') ?? UNMATCHED_ROUTE, c.res.status, seconds);
    }
  };
}

const labelled =
  (path: string): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    c.set('routeLabel', path);
    await next();
  };

/** The spec's deprecated endpoints are gone unless settings.enable_legacy_api brings them back. */
const legacyGate =
  (deps: ServerDeps, path: string): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    if (!deps.settings.enable_legacy_api) {
      return errorResponse(410, 'gone', `${path} is a deprecated endpoint of the original system; set settings.enable_legacy_api: true to turn it on`);
    }
    await next();
  };

/** {param} -> :param */
const honoPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

function documentedErrors(access: Access, extra: readonly number[] = []) {
  const statuses = new Set<number>([400, ...extra]);
  if (access !== 'public') {
    statuses.add(401);
    statuses.add(403);
  }
  return Object.fromEntries(
    [...statuses].sort().map((status) => [status, { description: ERROR_DESCRIPTIONS[status] ?? 'error', content: { 'application/json': { schema: errorBodySchema } } }]),
  );
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'a parameter or the body is invalid: error.field names it',
  401: 'no valid bearer token (settings.auth_mode: required, or a bad token in optional mode)',
  403: "the token's role may not call this endpoint",
  404: 'what the request names does not exist',
  409: 'another run holds the job lock: try again when it has finished',
  410: 'a deprecated endpoint (settings.enable_legacy_api is false)',
  429: 'too many failed logins: retry after the Retry-After header',
  501: 'not implemented by vctp: the error names what replaces it',
  502: 'a vCenter failed',
  503: 'the database is unavailable, or the server is shutting down',
};

function requestSchemas(entry: { query?: z.ZodObject; params?: z.ZodObject }) {
  return { ...(entry.query ? { query: entry.query } : {}), ...(entry.params ? { params: entry.params } : {}) };
}

const security = (access: Access) => (access === 'public' ? {} : { security: [{ bearerAuth: [] }] });

function addApiRoute(app: ServerApp, deps: ServerDeps, route: ApiRoute, guard: MiddlewareHandler) {
  const op = route.operation;
  const middleware = [labelled(route.path), ...(route.legacy ? [legacyGate(deps, route.path)] : []), guard];
  const status = op.successStatus ?? 200;
  const errors = route.legacy ? [...(op.errors ?? []), 410] : op.errors;
  const config = createRoute({
    method: route.method,
    path: route.path,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: op.tags,
    ...security(route.access),
    ...(route.legacy ? { deprecated: true } : {}),
    middleware: middleware as never,
    request: {
      ...requestSchemas(op),
      ...(op.body ? { body: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
    },
    responses: {
      [status]: { description: 'OK', content: { 'application/json': { schema: op.response } } },
      ...documentedErrors(route.access, errors),
    },
  });
  app.openapi(config, (async (c: Context<AppEnv>) => {
    const result = await op.handle(inputOf(c, deps, op));
    if (result instanceof Response) return result;
    return c.json(toJsonShape(result) as object, status);
  }) as never);
}

/**
 * A handler's input: what the route's own validators parsed (the table's routes are untyped here),
 * the deps, the caller the guard set and the request.
 */
function inputOf(c: Context<AppEnv>, deps: ServerDeps, schemas: { query?: unknown; params?: unknown; body?: unknown }): OperationInput<never, never, never> {
  const valid = (target: 'query' | 'param' | 'json'): never => (c.req as unknown as { valid(target: string): never }).valid(target);
  return {
    query: schemas.query ? valid('query') : ({} as never),
    params: schemas.params ? valid('param') : ({} as never),
    body: schemas.body ? valid('json') : (undefined as never),
    deps,
    user: c.get('user') ?? null,
    request: c.req.raw,
    remoteAddress: peerAddress(c),
  };
}

function addRawRoute(app: ServerApp, deps: ServerDeps, route: RawRoute, guard: MiddlewareHandler) {
  const handler = route.handler;
  const config = createRoute({
    method: route.method,
    path: route.path,
    summary: handler.summary,
    ...(handler.description ? { description: handler.description } : {}),
    tags: handler.tags,
    ...security(route.access),
    hide: route.hidden ?? false,
    middleware: [labelled(route.path), guard] as never,
    request: requestSchemas(handler),
    responses: {
      200: { description: 'OK', content: { [handler.responseContentType]: { schema: z.string() } } },
      ...documentedErrors(route.access, handler.errors),
    },
  });
  app.openapi(config, (async (c: Context<AppEnv>) => handler.handle(inputOf(c, deps, handler))) as never);
}

function addPage(app: ServerApp, deps: ServerDeps, route: UiRoute, guard: MiddlewareHandler) {
  const page = route.page;
  app.get(honoPath(route.path), labelled(route.path), guard as MiddlewareHandler<AppEnv>, async (c) => {
    let query: unknown = {};
    if (page.query) {
      const parsed = page.query.safeParse(c.req.query());
      if (!parsed.success) {
        const { message } = validationMessage('query', parsed.error, c.req.query());
        return c.html(errorPage(400, message, { active: route.path }), 400);
      }
      query = parsed.data;
    }
    try {
      return c.html(await page.render({ query: query as never, deps, request: c.req.raw }));
    } catch (error) {
      // A browser gets its failure as a page too: the status of the error's code, the message.
      if (!isVctpError(error)) throw error;
      const status = statusLogged(deps, c, error);
      return c.html(errorPage(status, error.message, { active: route.path }), status as 400);
    }
  });
}

/**
 * Jobs and queries shared with the CLI name a wrong input by its flag (`--vcenter nope: ...`); the
 * HTTP API has the same names as query or body fields, so the message is said in those terms
 * (`query.vcenter nope: ...`, `body.date 2026-13-01: ...`) and the field is named.
 */
function inRequestTerms(message: string, method: string): [string, { field?: string }] {
  const flag = /^--([a-z][a-z-]*)\b/.exec(message);
  if (!flag) return [message, {}];
  const name = flag[1]!.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const field = `${method === 'GET' ? 'query' : 'body'}.${name}`;
  return [field + message.slice(flag[0].length), { field }];
}

/** A VctpError's status; one that is the server's fault (5xx) is logged, a request's own (4xx) is not. */
function statusLogged(deps: ServerDeps, c: Context, error: VctpError): number {
  const status = statusFor(error.code);
  if (status >= 500) deps.log.warn({ code: error.code, path: c.req.path }, error.message);
  return status;
}

/** Every failure ends here: VctpErrors by their code, hono's own (bad JSON), the rest as internal. */
function answerError(deps: ServerDeps, c: Context, error: Error): Response {
  if (isVctpError(error)) return errorResponse(statusLogged(deps, c, error), error.code, ...inRequestTerms(error.message, c.req.method));
  if (error instanceof HTTPException && error.status < 500) {
    // hono's body parser: malformed JSON or a body that is not JSON.
    return errorResponse(error.status, error.status === 415 ? 'unsupported-media-type' : 'usage', `body: ${error.message}`, { field: 'body' });
  }
  deps.log.error({ err: error, path: c.req.path }, 'internal error answering a request');
  return errorResponse(500, 'internal', 'internal error: the server log has the details');
}
