// The three kinds of thing a route can serve, declared by resource modules (routes/*.ts, ui/pages.ts)
// and placed at a path with an access level by the route table (route-table.ts):
//
// - operation(): a JSON API operation. Its zod schemas validate the request and document it in the
//   OpenAPI document; its handler returns a plain value, answered 200 as JSON in the one shape the
//   CLI's --json prints (src/queries/json-shape.ts), or a Response when it answers otherwise.
// - raw(): an answer that is not JSON (metrics text, a file, static assets), documented unless hidden.
// - page(): a server-rendered HTML page (public UI; not in the OpenAPI document).
import type { z } from '@hono/zod-openapi';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ServerDeps } from './deps.js';

/** Who may call a route: anyone, a viewer (or admin), an admin. */
export type Access = 'public' | 'viewer' | 'admin';

/** The caller, from a verified bearer token; null when anonymous (auth disabled or optional). */
export type { AuthenticatedUser as RequestUser, Role } from './auth/user.js';
import type { AuthenticatedUser as RequestUser } from './auth/user.js';

/** Hono's context variables in vctp's app. */
export interface ServerEnv {
  Variables: { user: RequestUser | null };
}

type ZodObjectOrNone = z.ZodObject | undefined;
type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface OperationInput<Q, P, B> {
  query: Q;
  params: P;
  body: B;
  deps: ServerDeps;
  user: RequestUser | null;
  request: Request;
  /** The TCP peer (behind a reverse proxy: the proxy); 'unknown' without a socket (app.request() in tests). */
  remoteAddress: string;
}

export interface Operation<Q extends ZodObjectOrNone = ZodObjectOrNone, P extends ZodObjectOrNone = ZodObjectOrNone, B extends z.ZodType | undefined = z.ZodType | undefined> {
  kind: 'operation';
  summary: string;
  description?: string;
  tags: string[];
  query?: Q;
  params?: P;
  body?: B;
  /** The 200 body's schema (JSON). */
  response: z.ZodType;
  /** Other statuses it answers besides 400 (bad request) and the auth ones the table adds. */
  errors?: number[];
  /** 200 unless said (e.g. 202 for accepted work). */
  successStatus?: 200 | 201 | 202;
  handle(input: OperationInput<Parsed<Q>, Parsed<P>, Parsed<B>>): Promise<unknown>;
}

export function operation<Q extends ZodObjectOrNone = undefined, P extends ZodObjectOrNone = undefined, B extends z.ZodType | undefined = undefined>(
  op: Omit<Operation<Q, P, B>, 'kind'>,
): Operation<Q, P, B> {
  return { kind: 'operation', ...op };
}

export interface RawHandler<Q extends ZodObjectOrNone = ZodObjectOrNone, P extends ZodObjectOrNone = ZodObjectOrNone> {
  kind: 'raw';
  summary: string;
  description?: string;
  tags: string[];
  query?: Q;
  params?: P;
  /** What a 200 carries, e.g. text/plain; version=0.0.4 or an XLSX type. */
  responseContentType: string;
  errors?: number[];
  handle(input: OperationInput<Parsed<Q>, Parsed<P>, undefined>): Promise<Response>;
}

export function raw<Q extends ZodObjectOrNone = undefined, P extends ZodObjectOrNone = undefined>(handler: Omit<RawHandler<Q, P>, 'kind'>): RawHandler<Q, P> {
  return { kind: 'raw', ...handler };
}

export interface PageInput<Q> {
  query: Q;
  deps: ServerDeps;
  request: Request;
}

export interface Page<Q extends ZodObjectOrNone = ZodObjectOrNone> {
  kind: 'page';
  title: string;
  query?: Q;
  render(input: PageInput<Parsed<Q>>): Promise<string | HtmlEscapedString>;
}

export function page<Q extends ZodObjectOrNone = undefined>(p: Omit<Page<Q>, 'kind'>): Page<Q> {
  return { kind: 'page', ...p };
}
