// The auth_audit log events: one per login decision and per token or role denial. They carry who
// (username, role), what (method, path), from where (address, user agent) and why (reason); never
// a password, a token or the Authorization header.
import type { Context } from 'hono';
import type { Logger } from '../../log/logger.js';
import type { Role } from './user.js';

export interface ClientInfo {
  method: string;
  path: string;
  /** The TCP peer; behind a reverse proxy, the proxy's address. 'unknown' without a socket. */
  remoteAddress: string;
  userAgent: string;
}

export type AuditDecision = 'allow' | 'deny';

/** User input written to a log line is cut: a log is no place for a 100 kB "username". */
const MAX_FIELD = 256;
const cut = (value: string) => (value.length > MAX_FIELD ? `${value.slice(0, MAX_FIELD)}…` : value);

/** The TCP peer of the request; 'unknown' without a socket. */
export function peerAddress(c: Context): string {
  // @hono/node-server passes { incoming, outgoing } as env; app.request() in tests passes none
  // (or a hand-made one), hence every step optional.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

export function clientInfo(c: Context): ClientInfo {
  return clientOf(c.req.raw, peerAddress(c));
}

/** The client of `request` (a handler has the Request and its peer's address, not the hono Context). */
export function clientOf(request: Request, remoteAddress: string): ClientInfo {
  return {
    method: request.method,
    path: new URL(request.url).pathname,
    remoteAddress,
    userAgent: cut(request.headers.get('user-agent') ?? ''),
  };
}

export function audit(
  log: Logger,
  decision: AuditDecision,
  reason: string,
  client: ClientInfo,
  who: { username?: string; role?: Role } = {},
): void {
  const line = {
    event: 'auth_audit',
    decision,
    reason,
    ...(who.username !== undefined ? { username: cut(who.username) } : {}),
    ...(who.role !== undefined ? { role: who.role } : {}),
    method: client.method,
    path: client.path,
    remoteAddress: client.remoteAddress,
    userAgent: client.userAgent,
  };
  log.info(line, `auth ${decision}: ${reason}`);
}
