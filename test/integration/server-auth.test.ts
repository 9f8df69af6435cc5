// Authentication end to end: `vctp serve`'s app (app.request(), no socket) against a real OpenLDAP
// slapd (test/helpers/slapd.ts), with real tokens. Nothing is mocked: LDAP binds, group searches,
// TLS and StartTLS are the real ones.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { Settings } from '../../src/app/runtime.js';
import { isVctpError } from '../../src/core/errors.js';
import { createAuthServices } from '../../src/server/auth/services.js';
import { ADDRESS_FAILURE_LIMIT, ANONYMOUS_SEARCH_REFUSED_MESSAGE, USER_FAILURE_LIMIT } from '../../src/server/auth/login.js';
import { captureLogger, defaultSettings, listenForTest, serverForTest, type TestServer } from '../helpers/server.js';
import { startSlapd, type Slapd } from '../helpers/slapd.js';

const KEY = randomBytes(48).toString('base64');

let slapd: Slapd;
before(async () => {
  slapd = await startSlapd({ tls: true });
});
after(async () => {
  await slapd?.stop();
});

function authSettings(overrides: Partial<Settings> = {}): Partial<Settings> {
  const g = slapd.groups;
  return {
    auth_enabled: true,
    auth_mode: 'required',
    auth_jwt_signing_key: KEY,
    ldap_bind_address: slapd.url,
    ldap_base_dn: slapd.baseDn,
    ldap_user_base_dn: slapd.userBaseDn,
    // The plain listener: the TLS options have their own tests below.
    ldap_insecure: true,
    // DNs written in another case and with spaces around: compared trimmed and case-insensitively.
    auth_group_role_mappings: {
      [` ${g.viewers.toUpperCase()} `]: 'viewer',
      [g.admins]: 'admin',
      [g.adAdmins]: 'admin',
      [g.posixViewers]: 'viewer',
      [g.contractors]: 'viewer',
    },
    ldap_groups: [g.viewers, g.admins, g.adAdmins, g.posixViewers],
    ...overrides,
  };
}

/** Only the auth routes, as the route table places them. */
async function authRoutes() {
  const { ROUTES } = await import('../../src/server/route-table.js');
  return ROUTES.filter((r) => r.kind !== 'ui' && r.path.startsWith('/api/auth/'));
}

async function authServer(overrides: Partial<Settings> = {}): Promise<TestServer> {
  return serverForTest({ settings: authSettings(overrides), routes: await authRoutes() });
}

/** A request from `address` (the node-server binding app.request() lets a test pass). */
function from(address: string) {
  return { incoming: { socket: { remoteAddress: address } } };
}

let addressCounter = 0;
/** A fresh client address per login, so that the per-address limit stays out of unrelated tests. */
const freshAddress = () => `192.0.2.${++addressCounter % 250}`;

async function login(server: TestServer, username: unknown, password: unknown, address = freshAddress()) {
  const body = JSON.stringify({ ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) });
  const res = await server.app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'auth-test' }, body }, from(address));
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

async function me(server: TestServer, token?: string) {
  const res = await server.app.request('/api/auth/me', token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }, from('198.51.100.1'));
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

function auditLines(server: TestServer): Record<string, any>[] {
  return server
    .logLines()
    .map((l) => JSON.parse(l))
    .filter((l) => l.event === 'auth_audit');
}

describe('POST /api/auth/login against slapd', () => {
  let server: TestServer;
  const tokens: string[] = [];
  before(async () => {
    server = await authServer();
  });
  after(async () => {
    // Every line the app logged in this block: no password and no token in any of them.
    const log = server.logLines().join('\n');
    const secrets = [...Object.values(slapd.users).map((u) => u.password), 'wrong-password', ...tokens];
    for (const secret of secrets) assert.ok(!log.includes(secret), `a log line holds a secret (${secret.slice(0, 6)}...)`);
    assert.ok(!/authorization/i.test(log), 'a log line names the Authorization header');
    await server.close();
  });

  it('logs a viewer in (groupOfNames member) and /api/auth/me shows the token', async () => {
    const { status, headers, body } = await login(server, 'viewer1', slapd.users.viewer1.password);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(headers.get('cache-control'), 'no-store');
    tokens.push(body.access_token);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.match(body.expiresAtIso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(body.user, { username: 'viewer1', role: 'viewer', groups: [slapd.groups.viewers] });

    const who = await me(server, body.access_token);
    assert.equal(who.status, 200);
    assert.equal(who.body.authMode, 'required');
    assert.deepEqual(who.body.user, body.user);
    assert.equal(who.body.claims.sub, 'viewer1');
    assert.equal(who.body.claims.iss, 'vctp');
    assert.equal(who.body.claims.aud, 'vctp');
    assert.equal(who.body.claims.exp - who.body.claims.iat, 3600);
  });

  it('gives admin for groupOfUniqueNames uniqueMember, mapped groups first', async () => {
    const { status, body } = await login(server, 'admin1', slapd.users.admin1.password);
    assert.equal(status, 200, JSON.stringify(body));
    tokens.push(body.access_token);
    assert.equal(body.user.role, 'admin');
    assert.deepEqual(new Set(body.user.groups), new Set([slapd.groups.admins, slapd.groups.adAdmins]));
  });

  it('reads memberOf (an AD-shaped user found by sAMAccountName) and posixGroup memberUid', async () => {
    const ad = await login(server, 'aduser1', slapd.users.aduser1.password);
    assert.equal(ad.status, 200, JSON.stringify(ad.body));
    tokens.push(ad.body.access_token);
    assert.deepEqual(ad.body.user, { username: 'aduser1', role: 'admin', groups: [slapd.groups.adAdmins] });
    const posix = await login(server, 'posix1', slapd.users.posix1.password);
    assert.equal(posix.status, 200, JSON.stringify(posix.body));
    tokens.push(posix.body.access_token);
    assert.deepEqual(posix.body.user, { username: 'posix1', role: 'viewer', groups: [slapd.groups.posixViewers] });
  });

  it('finds a user whose name holds filter metacharacters, and spells the name as the directory does', async () => {
    const paren = await login(server, 'paren(1)', slapd.users.paren.password);
    assert.equal(paren.status, 200, JSON.stringify(paren.body));
    tokens.push(paren.body.access_token);
    assert.equal(paren.body.user.role, 'viewer');
    const upper = await login(server, 'VIEWER1', slapd.users.viewer1.password);
    assert.equal(upper.status, 200);
    tokens.push(upper.body.access_token);
    assert.equal(upper.body.user.username, 'viewer1');
  });

  it('refuses valid credentials without a mapped role, or outside the ldap_groups allowlist (403)', async () => {
    const nogroup = await login(server, 'nogroup1', slapd.users.nogroup1.password);
    assert.equal(nogroup.status, 403);
    assert.equal(nogroup.body.error.code, 'forbidden');
    assert.match(nogroup.body.error.message, /auth_group_role_mappings/);
    const outsider = await login(server, 'outsider1', slapd.users.outsider1.password);
    assert.equal(outsider.status, 403);
    assert.match(outsider.body.error.message, /ldap_groups/);
  });

  it('refuses a wrong, empty or unknown credential alike (401), before any bind for the empty password', async () => {
    for (const [username, password] of [
      ['viewer1', 'wrong-password'],
      ['viewer1', ''],
      ['no-such-user', 'wrong-password'],
    ] as const) {
      const { status, headers, body } = await login(server, username, password);
      assert.equal(status, 401, `${username}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, 'unauthenticated');
      assert.equal(body.error.message, 'invalid username or password');
      assert.match(headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    const reasons = auditLines(server).filter((l) => l.username === 'viewer1' && l.decision === 'deny').map((l) => l.reason);
    assert.deepEqual(reasons, ['invalid-credentials', 'empty-password']);
  });

  it('refuses filter-injection usernames, even with a real password', async () => {
    for (const username of ['*', ')(uid=*', 'admin)(|(uid=*', 'adm*', 'admin1)(|(uid=*', '*)(uid=admin1', 'admin1\\', 'admin1\0']) {
      const { status, body } = await login(server, username, slapd.users.admin1.password);
      assert.equal(status, 401, `${JSON.stringify(username)}: ${JSON.stringify(body)}`);
    }
  });

  it('answers 400 naming the missing field', async () => {
    const noPassword = await login(server, 'viewer1', undefined);
    assert.equal(noPassword.status, 400);
    assert.equal(noPassword.body.error.field, 'body.password');
    const noUser = await login(server, undefined, 'x');
    assert.equal(noUser.status, 400);
    assert.equal(noUser.body.error.field, 'body.username');
    const emptyUser = await login(server, '', 'x');
    assert.equal(emptyUser.status, 400);
    assert.equal(emptyUser.body.error.field, 'body.username');
  });

  it('writes one auth_audit line per login decision, with request metadata', async () => {
    const lines = auditLines(server);
    const allowed = lines.find((l) => l.decision === 'allow' && l.username === 'admin1');
    assert.ok(allowed, 'no allow line for admin1');
    assert.equal(allowed.reason, 'login');
    assert.equal(allowed.role, 'admin');
    assert.equal(allowed.method, 'POST');
    assert.equal(allowed.path, '/api/auth/login');
    assert.match(allowed.remoteAddress, /^192\.0\.2\./);
    assert.equal(allowed.userAgent, 'auth-test');
    assert.ok(lines.some((l) => l.decision === 'deny' && l.reason === 'no-mapped-role' && l.username === 'nogroup1'));
    assert.ok(lines.some((l) => l.decision === 'deny' && l.reason === 'not-in-allowed-group' && l.username === 'outsider1'));
  });
});

// A username that is a bind name the directory takes directly: bound first, then the user's own
// entry is read as that user. Tested with a full DN, the one such name OpenLDAP takes; a UPN
// (name@domain) and DOMAIN\name take this same path on Active Directory and differ only in the
// filter that finds the entry afterwards (userPrincipalName, sAMAccountName), which
// test/unit/server-auth-bind-name.test.ts covers.
describe('login with a DN as the username (direct bind)', () => {
  let server: TestServer;
  before(async () => {
    server = await authServer();
  });
  after(async () => {
    const log = server.logLines().join('\n');
    for (const secret of [...Object.values(slapd.users).map((u) => u.password), 'not-used-by-tests']) assert.ok(!log.includes(secret), 'a log line holds a password');
    await server.close();
  });

  it('logs in with the right role; sub is the account name, as for a plain login', async () => {
    const admin = await login(server, slapd.users.admin1.dn, slapd.users.admin1.password);
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    assert.equal(admin.body.user.username, 'admin1');
    assert.equal(admin.body.user.role, 'admin');
    assert.deepEqual(new Set(admin.body.user.groups), new Set([slapd.groups.admins, slapd.groups.adAdmins]));
    assert.equal((await me(server, admin.body.access_token)).body.claims.sub, 'admin1');

    // Another case and spaces after the commas: the directory's own DN rules apply.
    const viewer = await login(server, 'UID=viewer1, OU=People, DC=example, DC=com', slapd.users.viewer1.password);
    assert.equal(viewer.status, 200, JSON.stringify(viewer.body));
    assert.deepEqual(viewer.body.user, { username: 'viewer1', role: 'viewer', groups: [slapd.groups.viewers] });

    // AD-shaped entry: no uid, so sub is its sAMAccountName; groups from its memberOf.
    const ad = await login(server, slapd.users.aduser1.dn, slapd.users.aduser1.password);
    assert.equal(ad.status, 200, JSON.stringify(ad.body));
    assert.deepEqual(ad.body.user, { username: 'aduser1', role: 'admin', groups: [slapd.groups.adAdmins] });
  });

  it('refuses a wrong password (401, invalid-credentials)', async () => {
    const { status, body } = await login(server, slapd.users.viewer1.dn, 'wrong-password');
    assert.equal(status, 401);
    assert.equal(body.error.message, 'invalid username or password');
    assert.ok(auditLines(server).some((l) => l.username === slapd.users.viewer1.dn && l.reason === 'invalid-credentials'));
  });

  it('refuses a DN outside ldap_user_base_dn, or none, before any bind', async () => {
    // The rootdn with its real password, and a group under ldap_base_dn: a bind would succeed for
    // the first, so the 401 shows none was tried.
    for (const [dn, password] of [
      [`cn=admin,${slapd.baseDn}`, 'not-used-by-tests'],
      [slapd.groups.viewers, 'x'],
      [slapd.userBaseDn, 'x'],
    ] as const) {
      const { status, body } = await login(server, dn, password);
      assert.equal(status, 401, `${dn}: ${JSON.stringify(body)}`);
      assert.equal(body.error.message, 'invalid username or password');
      assert.ok(auditLines(server).some((l) => l.username === dn && l.reason === 'dn-outside-base'), dn);
    }
    // Against a directory that cannot be reached: still 401, not 503, so nothing was sent.
    const unreachable = await authServer({ ldap_bind_address: 'ldap://127.0.0.1:1' });
    try {
      assert.equal((await login(unreachable, `cn=admin,${slapd.baseDn}`, 'x')).status, 401);
      assert.equal((await login(unreachable, `uid=a"b,${slapd.userBaseDn}`, 'x')).status, 401);
      assert.deepEqual(auditLines(unreachable).map((l) => l.reason), ['dn-outside-base', 'invalid-username']);
      // An empty password is refused before anything too.
      assert.equal((await login(unreachable, slapd.users.viewer1.dn, '')).status, 401);
    } finally {
      await unreachable.close();
    }
  });

  it('logs a UPN-shaped uid in as a plain name when the directory refuses it as a bind name', async () => {
    const { status, body } = await login(server, 'MAIL.USER@example.com', slapd.users.mailUid.password);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.user, { username: 'mail.user@example.com', role: 'viewer', groups: [slapd.groups.viewers] });
    assert.equal((await login(server, 'EXAMPLE\\viewer1', slapd.users.viewer1.password)).status, 401);
  });

  it('counts failures of one account under one key, whatever form the name is typed in', async () => {
    const limited = await authServer();
    try {
      for (let i = 0; i < USER_FAILURE_LIMIT; i++) assert.equal((await login(limited, 'posix1', 'wrong-password')).status, 401);
      assert.equal((await login(limited, slapd.users.posix1.dn, slapd.users.posix1.password)).status, 429);
      assert.equal((await login(limited, 'EXAMPLE\\posix1', slapd.users.posix1.password)).status, 429);
    } finally {
      await limited.close();
    }
  });
});

describe('a directory that refuses anonymous searches (as Active Directory does)', () => {
  let closed: Slapd;
  let server: TestServer;
  before(async () => {
    closed = await startSlapd({ anonymousSearch: false });
    server = await serverForTest({ settings: authSettings({ ldap_bind_address: closed.url }), routes: await authRoutes() });
  });
  after(async () => {
    await server?.close();
    await closed?.stop();
  });

  it('answers a plain name 401 telling to log in as user@domain or DOMAIN\\user, and logs why', async () => {
    // Not counted as failures (no password was checked): no 429 after the limit.
    for (let i = 0; i <= USER_FAILURE_LIMIT; i++) {
      const { status, body } = await login(server, 'viewer1', closed.users.viewer1.password);
      assert.equal(status, 401, JSON.stringify(body));
      assert.equal(body.error.code, 'unauthenticated');
      assert.equal(body.error.message, ANONYMOUS_SEARCH_REFUSED_MESSAGE);
    }
    assert.match(ANONYMOUS_SEARCH_REFUSED_MESSAGE, /user@domain or DOMAIN\\user/);
    const lines = server.logLines().map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.event === 'auth_audit' && l.reason === 'anonymous-search-refused' && l.username === 'viewer1'));
    const warning = lines.find((l) => l.level === 40 && /anonymous searches/.test(l.msg));
    assert.ok(warning, 'no warning about anonymous searches');
    assert.match(warning.msg, /user@domain or DOMAIN\\user/);
    assert.ok(!server.logLines().join('\n').includes(closed.users.viewer1.password));
  });

  it('logs a DN in', async () => {
    const viewer = await login(server, closed.users.viewer1.dn, closed.users.viewer1.password);
    assert.equal(viewer.status, 200, JSON.stringify(viewer.body));
    assert.deepEqual(viewer.body.user, { username: 'viewer1', role: 'viewer', groups: [closed.groups.viewers] });
    const posix = await login(server, closed.users.posix1.dn, closed.users.posix1.password);
    assert.equal(posix.status, 200, JSON.stringify(posix.body));
    assert.deepEqual(posix.body.user, { username: 'posix1', role: 'viewer', groups: [closed.groups.posixViewers] });
    assert.equal((await login(server, closed.users.viewer1.dn, 'wrong-password')).status, 401);
  });
});

describe('login over a real socket', () => {
  it("counts and audits the TCP peer's address (node-server's binding)", async () => {
    const server = await authServer();
    const running = await listenForTest(server);
    try {
      const res = await fetch(`http://127.0.0.1:${running.port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'viewer1', password: 'wrong-password' }),
      });
      assert.equal(res.status, 401);
      const line = auditLines(server).find((l) => l.path === '/api/auth/login');
      assert.ok(line, 'no auth_audit line');
      assert.match(line.remoteAddress, /^(::ffff:)?127\.0\.0\.1$/);
    } finally {
      await running.close(1000);
      await server.close();
    }
  });
});

describe('login without an allowlist', () => {
  it('lets in a user whose mapped group the allowlist had kept out', async () => {
    const server = await authServer({ ldap_groups: [] });
    try {
      const { status, body } = await login(server, 'outsider1', slapd.users.outsider1.password);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.user.role, 'viewer');
      assert.equal(body.user.groups[0], slapd.groups.contractors);
      // The unmapped group is still in the token (after the mapped one), for /api/auth/me.
      assert.deepEqual(body.user.groups, [slapd.groups.contractors, slapd.groups.operators]);
    } finally {
      await server.close();
    }
  });
});

describe('failed-login rate limits', () => {
  it(`answers 429 with Retry-After after ${USER_FAILURE_LIMIT} failures for one username, even for the right password`, async () => {
    const server = await authServer();
    try {
      for (let i = 0; i < USER_FAILURE_LIMIT; i++) {
        assert.equal((await login(server, 'viewer1', 'wrong-password')).status, 401);
      }
      // Another address, the right password: still refused, without asking the directory.
      const limited = await login(server, 'Viewer1', slapd.users.viewer1.password);
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error.code, 'rate-limited');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 300, `Retry-After ${retryAfter}`);
      // Other users are not held back.
      assert.equal((await login(server, 'admin1', slapd.users.admin1.password)).status, 200);
      assert.ok(auditLines(server).some((l) => l.reason === 'rate-limited' && l.username === 'Viewer1'));
    } finally {
      await server.close();
    }
  });

  it(`answers 429 after ${ADDRESS_FAILURE_LIMIT} failures from one address, whatever the usernames`, async () => {
    const server = await authServer();
    try {
      for (let i = 0; i < ADDRESS_FAILURE_LIMIT; i++) {
        assert.equal((await login(server, `spray-${i}`, 'wrong-password', '203.0.113.9')).status, 401);
      }
      assert.equal((await login(server, 'admin1', slapd.users.admin1.password, '203.0.113.9')).status, 429);
      assert.equal((await login(server, 'admin1', slapd.users.admin1.password, '203.0.113.10')).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('bearer tokens over HTTP (required mode)', () => {
  let server: TestServer;
  before(async () => {
    server = await authServer();
  });
  after(async () => {
    await server.close();
  });

  const key = () => Buffer.from(KEY, 'base64');
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (iat = now()) =>
    new SignJWT({ role: 'admin', groups: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setIssuer('vctp').setAudience('vctp').setIssuedAt(iat).setExpirationTime(iat + 3600);

  it('refuses alg none, expired, wrong audience, wrong issuer, tampered and foreign-key tokens with 401', async () => {
    const { body } = await login(server, 'viewer1', slapd.users.viewer1.password);
    const [h, p, s] = (body.access_token as string).split('.');
    const raised = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'admin' })).toString('base64url');
    const cases: Record<string, string> = {
      'alg none': new UnsecuredJWT({ role: 'admin', groups: [] }).setSubject('mallory').setIssuer('vctp').setAudience('vctp').setIssuedAt(now()).setExpirationTime(now() + 3600).encode(),
      expired: await claims(now() - 7200).sign(key()),
      'wrong audience': await claims().setAudience('another-app').sign(key()),
      'wrong issuer': await claims().setIssuer('someone-else').sign(key()),
      tampered: `${h}.${raised}.${s}`,
      'foreign key': await claims().sign(randomBytes(48)),
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await me(server, token);
      assert.equal(res.status, 401, name);
      assert.equal(res.body.error.code, 'unauthenticated', name);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="vctp", error="invalid_token"', name);
    }
    const reasons = auditLines(server).filter((l) => l.path === '/api/auth/me').map((l) => l.reason);
    assert.deepEqual(reasons, [
      'token-algorithm-not-allowed',
      'token-expired',
      'token-wrong-audience',
      'token-wrong-issuer',
      'token-signature-invalid',
      'token-signature-invalid',
    ]);
    assert.ok(!server.logLines().join('\n').includes(body.access_token));
  });

  it('refuses a missing token with a bare Bearer challenge and a malformed header alike', async () => {
    const missing = await me(server);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="vctp"');
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'Bearer ' + 'x'.repeat(5) + '\u00e9']) {
      const res = await server.app.request('/api/auth/me', { headers: { authorization: header } });
      assert.equal(res.status, 401, header);
    }
  });
});

describe('LDAP TLS settings', () => {
  const tlsLogin = async (overrides: Partial<Settings>) => {
    const server = await authServer({ ldap_insecure: false, ...overrides });
    try {
      return await login(server, 'viewer1', slapd.users.viewer1.password);
    } finally {
      await server.close();
    }
  };

  it('logs in over StartTLS and over ldaps:// when ldap_trust_cert_file names the CA', async () => {
    assert.equal((await tlsLogin({ ldap_trust_cert_file: slapd.caFile! })).status, 200);
    assert.equal((await tlsLogin({ ldap_bind_address: slapd.ldapsUrl!, ldap_trust_cert_file: slapd.caFile! })).status, 200);
  });

  it("refuses (503) a server whose certificate is not trusted, on ldaps:// and on StartTLS", async () => {
    for (const overrides of [{ ldap_bind_address: slapd.ldapsUrl! }, {}]) {
      const { status, body } = await tlsLogin(overrides);
      assert.equal(status, 503, JSON.stringify(body));
      assert.equal(body.error.code, 'directory-unavailable');
    }
  });

  it('logs in without the CA when ldap_disable_validation is true', async () => {
    assert.equal((await tlsLogin({ ldap_bind_address: slapd.ldapsUrl!, ldap_disable_validation: true })).status, 200);
    assert.equal((await tlsLogin({ ldap_disable_validation: true })).status, 200);
  });

  it('answers 503 when the directory cannot be reached, and audits it', async () => {
    const server = await authServer({ ldap_bind_address: 'ldap://127.0.0.1:1' });
    try {
      const { status, body } = await login(server, 'viewer1', slapd.users.viewer1.password);
      assert.equal(status, 503);
      assert.equal(body.error.code, 'directory-unavailable');
      assert.ok(auditLines(server).some((l) => l.reason === 'directory-unavailable'));
    } finally {
      await server.close();
    }
  });
});

describe('unusable auth settings', () => {
  const settingsWith = (overrides: Partial<Settings>) => ({ ...defaultSettings(), ...authSettings(overrides) }) as Settings;
  const configError = (overrides: Partial<Settings>, setting: string) =>
    assert.throws(
      () => createAuthServices(settingsWith(overrides), captureLogger().log),
      (error) => isVctpError(error) && error.code === 'config' && error.message.startsWith(`settings.${setting}:`),
    );

  it('refuses a short signing key, an unreadable or empty trust file, naming the setting', () => {
    configError({ auth_jwt_signing_key: randomBytes(16).toString('base64') }, 'auth_jwt_signing_key');
    configError({ ldap_trust_cert_file: '/nonexistent/ca.pem' }, 'ldap_trust_cert_file');
    const notPem = join(mkdtempSync(join(tmpdir(), 'vctp-auth-')), 'ca.pem');
    writeFileSync(notPem, 'not a certificate\n');
    configError({ ldap_trust_cert_file: notPem }, 'ldap_trust_cert_file');
  });

  it('treats auth_enabled: false as disabled whatever auth_mode says, and the login answers 400', async () => {
    const services = createAuthServices(settingsWith({ auth_enabled: false, auth_mode: 'required' }), captureLogger().log);
    assert.equal(services.mode, 'disabled');
    const server = await serverForTest({ settings: { auth_enabled: false, auth_mode: 'required' }, routes: await authRoutes() });
    try {
      const { status, body } = await login(server, 'viewer1', slapd.users.viewer1.password);
      assert.equal(status, 400);
      assert.equal(body.error.code, 'usage');
      assert.equal(body.error.message, 'authentication is disabled (settings.auth_enabled is false)');
      const who = await me(server);
      assert.equal(who.status, 200);
      assert.deepEqual(who.body, { authMode: 'disabled', user: null, claims: null });
    } finally {
      await server.close();
    }
  });
});

describe('access by mode, caller and endpoint class (the route table)', () => {
  type Mode = 'disabled' | 'optional' | 'required';
  type Caller = 'anonymous' | 'viewer' | 'admin' | 'bad token';
  type Access = 'public' | 'viewer' | 'admin';
  const endpoints: { name: string; access: Access; init: () => RequestInit & { path: string } }[] = [
    { name: 'POST /api/auth/login', access: 'public', init: () => ({ path: '/api/auth/login', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer1', password: slapd.users.viewer1.password }) }) },
    { name: 'GET /metrics', access: 'public', init: () => ({ path: '/metrics' }) },
    { name: 'GET /', access: 'public', init: () => ({ path: '/' }) },
    { name: 'GET /api/vcenters', access: 'viewer', init: () => ({ path: '/api/vcenters' }) },
    { name: 'GET /api/auth/me', access: 'viewer', init: () => ({ path: '/api/auth/me' }) },
    { name: 'POST /api/encrypt', access: 'admin', init: () => ({ path: '/api/encrypt', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: 'matrix-value' }) }) },
  ];

  /** The spec's table: disabled bypasses; optional lets anonymous through; a bad token never passes. */
  function expected(mode: Mode, caller: Caller, access: Access): number {
    if (access === 'public' || mode === 'disabled') return 200;
    if (caller === 'bad token') return 401;
    if (caller === 'anonymous') return mode === 'optional' ? 200 : 401;
    if (access === 'admin' && caller === 'viewer') return 403;
    return 200;
  }

  for (const mode of ['disabled', 'optional', 'required'] as const) {
    it(`answers as the spec says in ${mode} mode`, async () => {
      // The whole route table: the access levels tested are the table's own.
      const server = await serverForTest({ settings: authSettings({ auth_mode: mode }) });
      try {
        const tokenOf = async (user: 'viewer1' | 'admin1') => {
          const { status, body } = await login(server, user, slapd.users[user].password);
          assert.equal(status, 200, JSON.stringify(body));
          return body.access_token as string;
        };
        const viewer = await tokenOf('viewer1');
        const admin = await tokenOf('admin1');
        const [h, p] = admin.split('.');
        const callers: Record<Caller, string | undefined> = { anonymous: undefined, viewer, admin, 'bad token': `${h}.${p}.${'A'.repeat(43)}` };

        const wrong: string[] = [];
        let denials = 0;
        for (const [caller, token] of Object.entries(callers) as [Caller, string | undefined][]) {
          for (const endpoint of endpoints) {
            const { path, headers, ...init } = endpoint.init();
            const res = await server.app.request(path, { ...init, headers: { ...(headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) } }, from('198.51.100.7'));
            const want = expected(mode, caller, endpoint.access);
            if (res.status !== want) wrong.push(`${caller} ${endpoint.name}: ${res.status}, expected ${want} (${(await res.text()).slice(0, 200)})`);
            if (want === 401) assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="vctp"/);
            if (want >= 400) denials++;
          }
        }
        assert.deepEqual(wrong, []);
        // Every denial wrote one auth_audit line, and no token reached the log.
        assert.equal(auditLines(server).filter((l) => l.decision === 'deny').length, denials);
        const log = server.logLines().join('\n');
        for (const token of [viewer, admin]) assert.ok(!log.includes(token));
      } finally {
        await server.close();
      }
    });
  }
});
