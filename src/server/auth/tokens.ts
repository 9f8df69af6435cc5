// Access tokens: HS256 JWTs signed with settings.auth_jwt_signing_key (base64). Verification pins
// the algorithm (no `alg: none`, no algorithm confusion), the issuer and the audience, allows
// settings.auth_clock_skew_seconds of skew, and requires the claims vctp itself writes.
import { errors, jwtVerify, SignJWT } from 'jose';
import { VctpError } from '../../core/errors.js';
import type { AuthenticatedUser, Role } from './user.js';

/** HS256 needs a key of at least its hash size (RFC 7518 section 3.2). */
export const MIN_KEY_BYTES = 32;

/**
 * The groups claim is capped: an Active Directory user can be in hundreds of groups, and a token
 * past ~8 KB no longer fits in a request header some proxies accept. Mapped groups come first.
 */
export const MAX_GROUPS_IN_TOKEN = 64;

export interface TokenSettings {
  signingKeyBase64: string;
  lifespanMinutes: number;
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
}

export interface IssuedToken {
  token: string;
  /** Seconds from issue to expiry. */
  expiresIn: number;
  /** Unix seconds. */
  issuedAt: number;
  expiresAt: number;
}

export interface VerifiedToken {
  user: AuthenticatedUser;
  claims: { sub: string; role: Role; groups: string[]; iss: string; aud: string | string[]; iat: number; exp: number };
}

/** Why a token was refused; goes into the auth_audit line, never the token itself. */
export type TokenRefusal =
  | 'token-expired'
  | 'token-signature-invalid'
  | 'token-algorithm-not-allowed'
  | 'token-wrong-issuer'
  | 'token-wrong-audience'
  | 'token-not-yet-valid'
  | 'token-malformed'
  | 'token-claims-invalid';

export class TokenRefused extends Error {
  constructor(readonly reason: TokenRefusal) {
    super(reason);
    this.name = 'TokenRefused';
  }
}

export function signingKeyFrom(base64: string | undefined): Uint8Array {
  if (base64 === undefined || base64.trim() === '') {
    throw new VctpError('config', 'settings.auth_jwt_signing_key: is required when auth_enabled is true (e.g. `openssl rand -base64 48`)');
  }
  const key = new Uint8Array(Buffer.from(base64.trim(), 'base64'));
  if (key.length < MIN_KEY_BYTES) {
    throw new VctpError(
      'config',
      `settings.auth_jwt_signing_key: decodes to ${key.length} bytes; HS256 needs at least ${MIN_KEY_BYTES} (e.g. \`openssl rand -base64 48\`)`,
    );
  }
  return key;
}

export class TokenService {
  readonly #key: Uint8Array;

  constructor(
    readonly settings: TokenSettings,
    private readonly now: () => number,
  ) {
    this.#key = signingKeyFrom(settings.signingKeyBase64);
  }

  async issue(user: AuthenticatedUser): Promise<IssuedToken> {
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresIn = this.settings.lifespanMinutes * 60;
    const token = await new SignJWT({ role: user.role, groups: user.groups.slice(0, MAX_GROUPS_IN_TOKEN) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.username)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + expiresIn)
      .sign(this.#key);
    return { token, expiresIn, issuedAt, expiresAt: issuedAt + expiresIn };
  }

  /** The token's user and claims; throws TokenRefused saying why not. */
  async verify(token: string): Promise<VerifiedToken> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: this.settings.clockSkewSeconds,
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'iat', 'exp'],
        // Also checks that iat is not in the future, and caps a token's age at today's lifespan
        // (a lifespan shortened in the settings applies to tokens already out).
        maxTokenAge: this.settings.lifespanMinutes * 60,
      }));
    } catch (error) {
      throw new TokenRefused(refusalOf(error));
    }
    const { sub, role, groups, iss, aud, iat, exp } = payload;
    if (
      typeof sub !== 'string' ||
      sub === '' ||
      (role !== 'viewer' && role !== 'admin') ||
      !Array.isArray(groups) ||
      !groups.every((g) => typeof g === 'string') ||
      typeof iat !== 'number' ||
      typeof exp !== 'number'
    ) {
      throw new TokenRefused('token-claims-invalid');
    }
    return {
      user: { username: sub, role, groups: groups as string[] },
      claims: { sub, role, groups: groups as string[], iss: iss!, aud: aud!, iat, exp },
    };
  }
}

function refusalOf(error: unknown): TokenRefusal {
  if (error instanceof errors.JWTExpired) return 'token-expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token-signature-invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token-algorithm-not-allowed';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'token-wrong-issuer';
    if (error.claim === 'aud') return 'token-wrong-audience';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'token-not-yet-valid';
    return 'token-claims-invalid';
  }
  return 'token-malformed';
}
