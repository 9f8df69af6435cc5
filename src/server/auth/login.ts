// POST /api/auth/login's work: rate limit, LDAP, role, token, and one auth_audit line whatever the
// outcome. Refusals of the credentials all read alike (unknown user, wrong or empty password), so
// the answer does not say which usernames exist.
import type { Logger } from '../../log/logger.js';
import type { AuthenticatedUser } from './user.js';
import { audit, type ClientInfo } from './audit.js';
import { authenticate, DirectoryUnavailable, type DirectorySettings } from './ldap-directory.js';
import { FailureLimiter } from './rate-limit.js';
import { decideRole, normaliseDn, type RolePolicy } from './roles.js';
import { MAX_GROUPS_IN_TOKEN, type IssuedToken, type TokenService } from './tokens.js';

/**
 * Failed logins allowed per username, and per client address, within LOGIN_WINDOW_MS; the next
 * attempt is answered 429 without asking the directory. Five per user stops password guessing
 * long before it can succeed and stays under Active Directory's usual lockout threshold, so an
 * attacker cannot lock a real account through vctp; twenty per address lets a team behind one
 * NAT mistype now and then.
 */
export const USER_FAILURE_LIMIT = 5;
export const ADDRESS_FAILURE_LIMIT = 20;
export const LOGIN_WINDOW_MS = 5 * 60_000;
/** Keys kept per limiter (~100 bytes each): bounded whatever an attacker sprays. */
export const LIMITER_MAX_KEYS = 10_000;

export interface Credentials {
  username: string;
  password: string;
}

export type LoginOutcome =
  | { ok: true; user: AuthenticatedUser; token: IssuedToken }
  | { ok: false; status: 401 | 403 | 429; reason: string; message: string; retryAfterSeconds?: number };

export class LoginService {
  readonly #perUser = new FailureLimiter({ limit: USER_FAILURE_LIMIT, windowMs: LOGIN_WINDOW_MS, maxKeys: LIMITER_MAX_KEYS });
  readonly #perAddress = new FailureLimiter({ limit: ADDRESS_FAILURE_LIMIT, windowMs: LOGIN_WINDOW_MS, maxKeys: LIMITER_MAX_KEYS });

  constructor(
    private readonly directory: DirectorySettings,
    private readonly policy: RolePolicy,
    private readonly tokens: TokenService,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  /** Throws DirectoryUnavailable when the directory cannot be asked (logged and audited here). */
  async login({ username, password }: Credentials, client: ClientInfo): Promise<LoginOutcome> {
    // Directory names match case-insensitively: Admin1 and admin1 share one count.
    const userKey = username.toLowerCase().slice(0, 256);
    const now = this.now();
    const limits = [this.#perUser.check(userKey, now), this.#perAddress.check(client.remoteAddress, now)];
    const retryAfterSeconds = Math.max(0, ...limits.map((l) => (l.limited ? l.retryAfterSeconds : 0)));
    if (retryAfterSeconds > 0) {
      audit(this.log, 'deny', 'rate-limited', client, { username });
      return { ok: false, status: 429, reason: 'rate-limited', message: `too many failed logins; try again in ${retryAfterSeconds} s`, retryAfterSeconds };
    }

    const refuse = (status: 401 | 403, reason: string, message: string): LoginOutcome => {
      this.#perUser.recordFailure(userKey, this.now());
      this.#perAddress.recordFailure(client.remoteAddress, this.now());
      audit(this.log, 'deny', reason, client, { username });
      return { ok: false, status, reason, message };
    };

    let answer;
    try {
      answer = await authenticate(this.directory, username, password);
    } catch (error) {
      if (!(error instanceof DirectoryUnavailable)) throw error;
      audit(this.log, 'deny', 'directory-unavailable', client, { username });
      this.log.error({ err: error.message }, 'LDAP login could not be checked');
      throw error;
    }
    if (!answer.ok) return refuse(401, answer.reason, 'invalid username or password');

    // The user proved who they are; saying why they may not enter helps them ask the right group.
    const decision = decideRole(this.policy, answer.groups);
    if (!decision.ok) {
      const message =
        decision.reason === 'no-mapped-role'
          ? 'the user is in no group that settings.auth_group_role_mappings maps to a role'
          : 'the user is in none of the groups settings.ldap_groups allows';
      return refuse(403, decision.reason, message);
    }

    this.#perUser.reset(userKey);
    // Mapped groups first: the token carries a bounded number of groups (tokens.ts).
    const mapped = new Set(decision.mappedGroups.map(normaliseDn));
    const groups = [...decision.mappedGroups, ...answer.groups.filter((g) => !mapped.has(normaliseDn(g)))];
    const user: AuthenticatedUser = { username: answer.username, role: decision.role, groups: groups.slice(0, MAX_GROUPS_IN_TOKEN) };
    const token = await this.tokens.issue(user);
    audit(this.log, 'allow', 'login', client, { username: answer.username, role: decision.role });
    return { ok: true, user, token };
  }
}
