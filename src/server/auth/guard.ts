// The middleware in front of every route: reads the bearer token, sets c.var.user, and answers
// 401/403 where settings.auth_mode and the route's access (route-table.ts) say so.
//
//                 | disabled | optional                     | required
// public          | pass     | pass                         | pass
// viewer / admin  | pass     | no token: pass (anonymous)   | no token: 401
//                 |          | bad token: 401               | bad token: 401
//                 |          | role too low: 403            | role too low: 403
//
// Public routes never refuse; they get the user of a valid token (else null) and ignore a bad one.
// Denials write an auth_audit line; passes do not (one line per request would drown the log).
import type { MiddlewareHandler } from 'hono';
import type { ServerDeps } from '../deps.js';
import { errorResponse } from '../http-errors.js';
import type { Access, RequestUser, ServerEnv } from '../operation.js';
import { audit, clientInfo } from './audit.js';
import { roleSatisfies } from './roles.js';
import { TokenRefused, type TokenRefusal, type VerifiedToken } from './tokens.js';

export type BearerHeader = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed' };

/** RFC 6750 2.1: `Bearer` (any case), one or more spaces, a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export function parseBearer(header: string | undefined): BearerHeader {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const match = BEARER.exec(header);
  return match ? { kind: 'token', token: match[1]! } : { kind: 'malformed' };
}

/** The bearer token of a request when it verifies, else null (for /api/auth/me's claims). */
export async function verifiedBearer(deps: ServerDeps, request: Request): Promise<VerifiedToken | null> {
  const bearer = parseBearer(request.headers.get('authorization') ?? undefined);
  if (bearer.kind !== 'token' || !deps.auth.enabled) return null;
  try {
    return await deps.auth.verify(bearer.token);
  } catch (error) {
    if (error instanceof TokenRefused) return null;
    throw error;
  }
}

const UNAUTHENTICATED: Record<TokenRefusal | 'token-missing' | 'authorization-malformed', string> = {
  'token-missing': 'a bearer token is required: POST /api/auth/login, then send Authorization: Bearer <access_token>',
  'authorization-malformed': 'the Authorization header is not of the form "Bearer <token>"',
  'token-expired': 'the bearer token has expired; log in again',
  'token-signature-invalid': 'the bearer token is not valid',
  'token-algorithm-not-allowed': 'the bearer token is not valid',
  'token-wrong-issuer': 'the bearer token is not valid',
  'token-wrong-audience': 'the bearer token is not valid',
  'token-not-yet-valid': 'the bearer token is not valid yet (clock skew?)',
  'token-malformed': 'the bearer token is not valid',
  'token-claims-invalid': 'the bearer token is not valid',
};

export function createGuard(deps: ServerDeps): (access: Access) => MiddlewareHandler<ServerEnv> {
  const { auth, log } = deps;
  return (access) => async (c, next) => {
    const client = clientInfo(c);
    if (auth.mode === 'disabled') {
      c.set('user', null);
      return next();
    }

    const bearer = parseBearer(c.req.header('authorization'));
    let user: RequestUser | null = null;
    let refusal: keyof typeof UNAUTHENTICATED | null = null;
    if (bearer.kind === 'malformed') refusal = 'authorization-malformed';
    else if (bearer.kind === 'token') {
      try {
        user = (await auth.verify(bearer.token)).user;
      } catch (error) {
        if (!(error instanceof TokenRefused)) throw error;
        refusal = error.reason;
      }
    } else if (auth.mode === 'required' && access !== 'public') refusal = 'token-missing';

    if (access === 'public') {
      c.set('user', user);
      return next();
    }
    if (refusal !== null) {
      audit(log, 'deny', refusal, client);
      const challenge = refusal === 'token-missing' ? 'Bearer realm="vctp"' : 'Bearer realm="vctp", error="invalid_token"';
      return errorResponse(401, 'unauthenticated', UNAUTHENTICATED[refusal], { headers: { 'WWW-Authenticate': challenge } });
    }
    if (user !== null && !roleSatisfies(user.role, access)) {
      audit(log, 'deny', 'role-insufficient', client, { username: user.username, role: user.role });
      return errorResponse(403, 'forbidden', `this endpoint needs the ${access} role; the token's role is ${user.role}`);
    }
    c.set('user', user);
    return next();
  };
}
