// POST /api/auth/login (LDAP bind -> JWT) and GET /api/auth/me (who the token says you are).
// The work is in src/server/auth/; these only parse, call and answer. Token answers are never cached
// (RFC 6749 5.1).
import { z } from '@hono/zod-openapi';
import { isoTime } from '../../queries/json-shape.js';
import { clientOf } from '../auth/audit.js';
import { verifiedBearer } from '../auth/guard.js';
import { DirectoryUnavailable } from '../auth/ldap-directory.js';
import { errorResponse } from '../http-errors.js';
import { operation } from '../operation.js';

const NO_STORE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' };

const role = z.enum(['viewer', 'admin']);
const user = z
  .object({
    username: z.string(),
    role,
    groups: z.array(z.string()).openapi({ description: 'LDAP group DNs (mapped ones first; at most 64)' }),
  })
  .openapi('AuthUser');

export const login = operation({
  summary: 'Log in with LDAP credentials; answers a bearer token',
  description:
    'Binds to the LDAP directory as the user, maps their groups to a role (settings.auth_group_role_mappings, settings.ldap_groups) and answers an HS256 JWT. ' +
    'Wrong, unknown and empty credentials all answer 401; valid credentials without a mapped role 403. ' +
    'After 5 failed logins for one username, or 20 from one address, within 5 minutes: 429 with Retry-After. ' +
    'With settings.auth_enabled false: 400.',
  tags: ['auth'],
  body: z.object({
    username: z.string().min(1).max(256).openapi({ example: 'jdoe' }),
    password: z.string().max(1024).openapi({ description: 'Never logged', example: 'secret', format: 'password' }),
  }),
  response: z
    .object({
      access_token: z.string(),
      token_type: z.literal('Bearer'),
      expires_in: z.number().int().openapi({ description: 'Seconds until the token expires' }),
      expiresAt: z.number().int().openapi({ description: 'Unix seconds' }),
      expiresAtIso: z.string().nullable(),
      user,
    })
    .openapi('LoginAnswer'),
  errors: [401, 403, 429, 503],
  async handle({ body, deps, request, remoteAddress }) {
    let outcome;
    try {
      outcome = await deps.auth.login(body, clientOf(request, remoteAddress));
    } catch (error) {
      // Logged and audited by the login service; the client learns only that it was not its fault.
      if (error instanceof DirectoryUnavailable) return errorResponse(503, 'directory-unavailable', 'the LDAP directory cannot be reached now; try again later');
      throw error;
    }
    if (!outcome.ok) {
      if (outcome.status === 429) return errorResponse(429, 'rate-limited', outcome.message, { headers: { 'Retry-After': String(outcome.retryAfterSeconds) } });
      if (outcome.status === 401) return errorResponse(401, 'unauthenticated', outcome.message, { headers: { 'WWW-Authenticate': 'Bearer realm="vctp"' } });
      return errorResponse(403, 'forbidden', outcome.message);
    }
    const answer = {
      access_token: outcome.token.token,
      token_type: 'Bearer',
      expires_in: outcome.token.expiresIn,
      expiresAt: outcome.token.expiresAt,
      expiresAtIso: isoTime(outcome.token.expiresAt),
      user: outcome.user,
    };
    return new Response(JSON.stringify(answer), { status: 200, headers: NO_STORE });
  },
});

export const me = operation({
  summary: 'Who the bearer token says the caller is',
  description: 'The auth mode, the user of the bearer token (null when anonymous) and its claims. Copy group DNs for settings.auth_group_role_mappings from `groups`.',
  tags: ['auth'],
  response: z
    .object({
      authMode: z.enum(['disabled', 'optional', 'required']),
      user: user.nullable(),
      claims: z
        .object({
          sub: z.string(),
          role,
          groups: z.array(z.string()),
          iss: z.string(),
          aud: z.union([z.string(), z.array(z.string())]),
          iat: z.number().int(),
          iatIso: z.string().nullable(),
          exp: z.number().int(),
          expIso: z.string().nullable(),
        })
        .nullable(),
    })
    .openapi('AuthMe'),
  async handle({ deps, request, user }) {
    // The guard verified the token already (when the mode asks); the claims are read again here
    // because the guard keeps only the user. In disabled mode a token is still shown when valid.
    const verified = await verifiedBearer(deps, request);
    const claims = verified ? { ...verified.claims, iatIso: isoTime(verified.claims.iat), expIso: isoTime(verified.claims.exp) } : null;
    const answer = { authMode: deps.auth.mode, user: user ?? verified?.user ?? null, claims };
    return new Response(JSON.stringify(answer), { status: 200, headers: NO_STORE });
  },
});
