// The authentication components of `vctp serve`, built once from the settings.
//
// settings.auth_enabled builds them (LDAP login, tokens); settings.auth_mode decides what the
// guard asks of requests. auth_enabled: false means mode 'disabled' whatever auth_mode says (the
// settings loader warns about that combination), and the login answers 400. auth_enabled: true
// with auth_mode: disabled lets operators try logins (and /api/auth/me) before enforcing anything.
import type { Settings } from '../../app/runtime.js';
import { VctpError } from '../../core/errors.js';
import type { Logger } from '../../log/logger.js';
import type { ClientInfo } from './audit.js';
import { readTrustedCa } from './ldap-tls.js';
import { LoginService, type Credentials, type LoginOutcome } from './login.js';
import { rolePolicy } from './roles.js';
import { TokenService, type VerifiedToken } from './tokens.js';

export type AuthMode = 'disabled' | 'optional' | 'required';

export interface AuthServices {
  /** What the guard enforces. */
  readonly mode: AuthMode;
  /** settings.auth_enabled: logins and tokens work. */
  readonly enabled: boolean;
  /** Throws VctpError('usage') when auth is not enabled, DirectoryUnavailable when LDAP cannot be asked. */
  login(credentials: Credentials, client: ClientInfo): Promise<LoginOutcome>;
  /** The token's user and claims; throws TokenRefused (or VctpError('usage') when not enabled). */
  verify(token: string): Promise<VerifiedToken>;
}

/** Bound on the LDAP connect and on each LDAP operation; a login waits at most a few of these. */
export const LDAP_TIMEOUT_MS = 10_000;

export const AUTH_DISABLED_MESSAGE = 'authentication is disabled (settings.auth_enabled is false)';

export function createAuthServices(settings: Settings, log: Logger, options: { now?: () => number } = {}): AuthServices {
  const now = options.now ?? Date.now;
  if (!settings.auth_enabled) {
    const off = async (): Promise<never> => {
      throw new VctpError('usage', AUTH_DISABLED_MESSAGE);
    };
    return { mode: 'disabled', enabled: false, login: off, verify: off };
  }

  // settings-rules.ts already requires these when auth_enabled; a Settings built by hand may not.
  const required = <T>(value: T | undefined, key: string): T => {
    if (value === undefined) throw new VctpError('config', `settings.${key}: is required when auth_enabled is true`);
    return value;
  };
  const userBaseDn = required(settings.ldap_user_base_dn ?? settings.ldap_base_dn, 'ldap_base_dn');
  if (Object.keys(settings.auth_group_role_mappings).length === 0) {
    throw new VctpError('config', 'settings.auth_group_role_mappings: must map at least one LDAP group DN to viewer or admin when auth_enabled is true');
  }

  const url = required(settings.ldap_bind_address, 'ldap_bind_address');
  if (settings.ldap_insecure && url.toLowerCase().startsWith('ldap:')) {
    log.warn({ ldap_bind_address: url }, 'settings.ldap_insecure: LDAP without TLS; passwords cross the network in clear text');
  }
  if (settings.ldap_disable_validation) {
    log.warn({ ldap_bind_address: url }, "settings.ldap_disable_validation: the LDAP server's certificate is not checked; anyone on the path can pose as it");
  }

  const tokens = new TokenService(
    {
      signingKeyBase64: required(settings.auth_jwt_signing_key, 'auth_jwt_signing_key'),
      lifespanMinutes: settings.auth_token_lifespan_minutes,
      issuer: settings.auth_jwt_issuer,
      audience: settings.auth_jwt_audience,
      clockSkewSeconds: settings.auth_clock_skew_seconds,
    },
    now,
  );
  const logins = new LoginService(
    {
      url,
      userBaseDn,
      groupBaseDn: settings.ldap_base_dn ?? userBaseDn,
      ...(settings.ldap_trust_cert_file !== undefined ? { trustedCa: readTrustedCa(settings.ldap_trust_cert_file) } : {}),
      disableValidation: settings.ldap_disable_validation,
      insecure: settings.ldap_insecure,
      timeoutMs: LDAP_TIMEOUT_MS,
    },
    rolePolicy(settings.auth_group_role_mappings, settings.ldap_groups),
    tokens,
    log,
    now,
  );

  return {
    mode: settings.auth_mode,
    enabled: true,
    login: (credentials, client) => logins.login(credentials, client),
    verify: (token) => tokens.verify(token),
  };
}
