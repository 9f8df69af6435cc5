// Tokens are signed and verified by the real jose; the refused ones are built as an attacker would.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { isVctpError } from '../../src/core/errors.js';
import { TokenRefused, TokenService, type TokenSettings } from '../../src/server/auth/tokens.js';

const KEY = randomBytes(48).toString('base64');
const SETTINGS: TokenSettings = { signingKeyBase64: KEY, lifespanMinutes: 60, issuer: 'vctp', audience: 'vctp', clockSkewSeconds: 60 };
const T0 = Date.UTC(2026, 3, 21, 13, 0, 0);
const USER = { username: 'viewer1', role: 'viewer' as const, groups: ['cn=vctp-viewers,ou=Groups,dc=example,dc=com'] };

function serviceAt(ms: number, settings: Partial<TokenSettings> = {}): TokenService {
  return new TokenService({ ...SETTINGS, ...settings }, () => ms);
}

async function refusal(service: TokenService, token: string): Promise<string> {
  try {
    await service.verify(token);
  } catch (error) {
    assert.ok(error instanceof TokenRefused, `expected TokenRefused, got ${String(error)}`);
    return error.reason;
  }
  assert.fail('the token was accepted');
}

/** A token with vctp's claims signed as given (by another key or algorithm). */
function forged(key: Uint8Array, alg = 'HS256', claims: { iss?: string; aud?: string } = {}) {
  const iat = Math.floor(T0 / 1000);
  return new SignJWT({ role: 'admin', groups: [] })
    .setProtectedHeader({ alg })
    .setSubject('mallory')
    .setIssuer(claims.iss ?? 'vctp')
    .setAudience(claims.aud ?? 'vctp')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(key);
}

describe('TokenService', () => {
  it('issues a token whose claims verify back to the user', async () => {
    const issued = await serviceAt(T0).issue(USER);
    assert.equal(issued.expiresIn, 3600);
    assert.equal(issued.expiresAt, T0 / 1000 + 3600);
    const verified = await serviceAt(T0 + 59 * 60_000).verify(issued.token);
    assert.deepEqual(verified.user, USER);
    assert.deepEqual(verified.claims, { sub: 'viewer1', role: 'viewer', groups: USER.groups, iss: 'vctp', aud: 'vctp', iat: T0 / 1000, exp: T0 / 1000 + 3600 });
  });

  it('accepts a token within the clock skew past expiry and refuses it after', async () => {
    const { token } = await serviceAt(T0).issue(USER);
    await serviceAt(T0 + 3600_000 + 59_000).verify(token);
    assert.equal(await refusal(serviceAt(T0 + 3600_000 + 61_000), token), 'token-expired');
  });

  it('refuses a token issued in the future beyond the skew', async () => {
    const { token } = await serviceAt(T0 + 10 * 60_000).issue(USER);
    assert.equal(await refusal(serviceAt(T0), token), 'token-not-yet-valid');
  });

  it('refuses alg none', async () => {
    const iat = Math.floor(T0 / 1000);
    const token = new UnsecuredJWT({ role: 'admin', groups: [] }).setSubject('mallory').setIssuer('vctp').setAudience('vctp').setIssuedAt(iat).setExpirationTime(iat + 3600).encode();
    assert.equal(await refusal(serviceAt(T0), token), 'token-algorithm-not-allowed');
  });

  it('refuses another HMAC algorithm with the right key', async () => {
    assert.equal(await refusal(serviceAt(T0), await forged(Buffer.from(KEY, 'base64'), 'HS512')), 'token-algorithm-not-allowed');
  });

  it('refuses a token signed with another key', async () => {
    assert.equal(await refusal(serviceAt(T0), await forged(randomBytes(48))), 'token-signature-invalid');
  });

  it('refuses a tampered payload (role raised to admin)', async () => {
    const { token } = await serviceAt(T0).issue(USER);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    claims.role = 'admin';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    assert.equal(await refusal(serviceAt(T0), tampered), 'token-signature-invalid');
  });

  it('refuses a wrong issuer or audience', async () => {
    const key = Buffer.from(KEY, 'base64');
    assert.equal(await refusal(serviceAt(T0), await forged(key, 'HS256', { iss: 'someone-else' })), 'token-wrong-issuer');
    assert.equal(await refusal(serviceAt(T0), await forged(key, 'HS256', { aud: 'another-app' })), 'token-wrong-audience');
  });

  it('refuses a correctly signed token without vctp claims, and garbage', async () => {
    const key = Buffer.from(KEY, 'base64');
    const iat = Math.floor(T0 / 1000);
    const noRole = await new SignJWT({ groups: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('vctp').setAudience('vctp').setIssuedAt(iat).setExpirationTime(iat + 60).sign(key);
    assert.equal(await refusal(serviceAt(T0), noRole), 'token-claims-invalid');
    assert.equal(await refusal(serviceAt(T0), 'not-a-jwt'), 'token-malformed');
    assert.equal(await refusal(serviceAt(T0), ''), 'token-malformed');
  });

  it('refuses a signing key shorter than 32 bytes as a config error naming the setting', () => {
    assert.throws(
      () => serviceAt(T0, { signingKeyBase64: randomBytes(31).toString('base64') }),
      (error) => isVctpError(error) && error.code === 'config' && error.message.startsWith('settings.auth_jwt_signing_key: decodes to 31 bytes'),
    );
  });
});
