// POST /api/auth/login's work: rate limit, LDAP, role, token, and one auth_audit line whatever the
// outcome. Refusals of the credentials all read alike (unknown user, wrong or empty password), so
// the answer does not say which usernames exist. Two refusals say more, because what they say does
// not depend on the name: a directory that refuses anonymous searches (log in as user@domain or
// DOMAIN\user instead), and a directory that accepted the password but holds no single entry for
// the name under ldap_user_base_dn (only someone who knows the password learns that).
import type { Logger } from '../../log/logger.js';
import type { AuthenticatedUser } from './user.js';
import { audit, type ClientInfo } from './audit.js';
import { classifyLoginName, failureKey } from './bind-name.js';
import { authenticate, DirectoryUnavailable, type DirectoryRefusal, type DirectorySettings } from './ldap-directory.js';
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

export const INVALID_CREDENTIALS_MESSAGE = 'invalid username or password';
export const ANONYMOUS_SEARCH_REFUSED_MESSAGE =
  'the directory does not allow looking up a plain user name; log in as user@domain or DOMAIN\\user (or with your full DN)';

/**
 * What the client is told for each refusal of the directory. 401 throughout but for a user whose
 * password the directory accepted (403, like a user without a role). A directory that refuses
 * anonymous searches answers 401 rather than 503: the user can log in at once with another form of
 * the name, trying later would not help, and a 503 would page whoever watches 5xx answers. That
 * refusal is not counted as a failure: no password was checked.
 */
const REFUSALS: Record<DirectoryRefusal, { status: 401 | 403; message: string; counted: boolean }> = {
  'empty-password': { status: 401, message: INVALID_CREDENTIALS_MESSAGE, counted: true },
  'invalid-username': { status: 401, message: INVALID_CREDENTIALS_MESSAGE, counted: true },
  'dn-outside-base': { status: 401, message: INVALID_CREDENTIALS_MESSAGE, counted: true },
  'unknown-user': { status: 401, message: INVALID_CREDENTIALS_MESSAGE, counted: true },
  'ambiguous-user': { status: 401, message: INVALID_CREDENTIALS_MESSAGE, counted: true },
  'invalid-credentials': { status: 401, message: INVALID_CREDENTIALS_MESSAGE, counted: true },
  'anonymous-search-refused': { status: 401, message: ANONYMOUS_SEARCH_REFUSED_MESSAGE, counted: false },
  'entry-not-found': {
    status: 403,
    message: 'the directory accepted the password but holds no entry for this name under settings.ldap_user_base_dn (log in as DOMAIN\\user if user@domain is not your userPrincipalName)',
    counted: true,
  },
  'ambiguous-entry': { status: 403, message: 'the directory accepted the password but holds more than one entry for this name under settings.ldap_user_base_dn', counted: true },
};

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
    // Directory names match case-insensitively: Admin1 and admin1 share one count, and so do
    // admin1@example.com and EXAMPLE\admin1 (bind-name.ts).
    const userKey = failureKey(classifyLoginName(username), username);
    const now = this.now();
    const limits = [this.#perUser.check(userKey, now), this.#perAddress.check(client.remoteAddress, now)];
    const retryAfterSeconds = Math.max(0, ...limits.map((l) => (l.limited ? l.retryAfterSeconds : 0)));
    if (retryAfterSeconds > 0) {
      audit(this.log, 'deny', 'rate-limited', client, { username });
      return { ok: false, status: 429, reason: 'rate-limited', message: `too many failed logins; try again in ${retryAfterSeconds} s`, retryAfterSeconds };
    }

    const refuse = (status: 401 | 403, reason: string, message: string, counted = true): LoginOutcome => {
      if (counted) {
        this.#perUser.recordFailure(userKey, this.now());
        this.#perAddress.recordFailure(client.remoteAddress, this.now());
      }
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
    if (!answer.ok) {
      if (answer.reason === 'anonymous-search-refused') {
        this.log.warn(
          { err: answer.detail },
          'the LDAP directory refuses anonymous searches, so a plain user name cannot be looked up: users must log in as user@domain or DOMAIN\\user (or with their full DN)',
        );
      } else if (answer.reason === 'entry-not-found' || answer.reason === 'ambiguous-entry') {
        this.log.warn({ ldap_user_base_dn: this.directory.userBaseDn }, `LDAP login: the password was accepted but the user's entry is not exactly one entry under settings.ldap_user_base_dn (${answer.reason})`);
      }
      const refusal = REFUSALS[answer.reason];
      return refuse(refusal.status, answer.reason, refusal.message, refusal.counted);
    }

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
