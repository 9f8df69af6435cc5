// The kinds of route the table (route-table.ts) is made of, and their builders.
import type { Settings } from '../app/runtime.js';
import type { Access, Operation, Page, RawHandler } from './operation.js';

export type Method = 'get' | 'post';

interface Conditional {
  /** Registered only when this holds for the settings (absent routes answer 404). */
  when?: (settings: Settings) => boolean;
}

export interface ApiRoute extends Conditional {
  kind: 'api';
  method: Method;
  path: string;
  access: Access;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each operation has its own schemas
  operation: Operation<any, any, any>;
  /** The spec's deprecated endpoints: 410 Gone (before auth) unless settings.enable_legacy_api. */
  legacy?: boolean;
}

export interface RawRoute extends Conditional {
  kind: 'raw';
  method: Method;
  path: string;
  access: Access;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler has its own schemas
  handler: RawHandler<any, any>;
  /** Left out of the OpenAPI document (debug endpoints, static files). */
  hidden?: boolean;
}

export interface UiRoute {
  kind: 'ui';
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each page has its own query schema
  page: Page<any>;
}

export type RouteEntry = ApiRoute | RawRoute | UiRoute;

export const api = (method: Method, path: string, access: Access, operation: ApiRoute['operation']): ApiRoute => ({ kind: 'api', method, path, access, operation });
export const legacy = (path: string, operation: ApiRoute['operation']): ApiRoute => ({ kind: 'api', method: 'post', path, access: 'admin', operation, legacy: true });
export const rawRoute = (method: Method, path: string, access: Access, handler: RawRoute['handler'], options: Omit<RawRoute, 'kind' | 'method' | 'path' | 'access' | 'handler'> = {}): RawRoute => ({
  kind: 'raw',
  method,
  path,
  access,
  handler,
  ...options,
});
export const ui = (path: string, page: UiRoute['page']): UiRoute => ({ kind: 'ui', path, page });
