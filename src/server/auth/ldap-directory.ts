// Who a username and password are, according to the LDAP directory: the user's DN and group DNs.
//
// 1. An empty password is refused before anything is sent: a simple bind with a DN and no password
//    is an "unauthenticated bind" (RFC 4513 5.1.2) that many servers answer with success.
// 2. Connect (ldaps://, or ldap:// upgraded with StartTLS unless ldap_insecure; see ldap-tls.ts).
// 3. A bind name the directory can take directly (bind-name.ts): `name@domain` (UPN),
//    `DOMAIN\name` or a full DN. A DN must parse (RFC 4514) and lie below ldap_user_base_dn, else
//    it is refused before any bind. Bind with it and the password first, then, as that user, find
//    its own entry under ldap_user_base_dn: (userPrincipalName=...), (sAMAccountName=<name>), or a
//    base-scope read of the DN. Exactly one entry. Active Directory takes all three; a directory
//    that refuses a UPN or DOMAIN\ name as a bind name (OpenLDAP: invalidDNSyntax) gets step 4.
// 4. Any other name: find the user anonymously under ldap_user_base_dn by `uid` or `sAMAccountName`
//    (the value escaped per RFC 4515); exactly one entry must match; bind as that DN. vctp has no
//    service account setting; a directory that refuses anonymous searches (Active Directory)
//    answers 'anonymous-search-refused', and the user is told to log in as user@domain or
//    DOMAIN\user.
// 5. As the user, read its groups: `memberOf` on its entry (Active Directory, OpenLDAP with the
//    memberof overlay), and groups under ldap_base_dn that list it as `member` or `uniqueMember`
//    (its DN) or `memberUid` (its uid, posixGroup). Direct membership only: nested groups are not
//    followed.
import type { Client, SearchOptions } from 'ldapts';
import { escapeFilterValue } from '../../core/ldap-escape.js';
import { classifyLoginName, entryQuery, isBelow, type LoginName } from './bind-name.js';
import { connectionOptions, type LdapConnectionSettings } from './ldap-tls.js';

export interface DirectorySettings extends LdapConnectionSettings {
  userBaseDn: string;
  /** Where groups are searched: ldap_base_dn (groups often live outside the users' OU). */
  groupBaseDn: string;
}

/**
 * Why the directory said no. Before the password is checked: 'empty-password', 'invalid-username'
 * (also a DN that does not parse), 'dn-outside-base', 'unknown-user', 'ambiguous-user',
 * 'anonymous-search-refused' (a plain name on a directory that refuses anonymous searches).
 * The password: 'invalid-credentials'. After a successful direct bind: 'entry-not-found',
 * 'ambiguous-entry' (the bound user's entry is not exactly one entry under ldap_user_base_dn).
 */
export type DirectoryRefusal =
  | 'empty-password'
  | 'invalid-username'
  | 'dn-outside-base'
  | 'unknown-user'
  | 'ambiguous-user'
  | 'anonymous-search-refused'
  | 'invalid-credentials'
  | 'entry-not-found'
  | 'ambiguous-entry';

/**
 * `username` as the directory spells it: for a plain name, its uid or sAMAccountName in the case
 * the directory uses; for a direct bind, the entry's uid, else sAMAccountName, else
 * userPrincipalName, else its DN, so that one account gets one `sub` however its name was typed.
 * `detail` is the directory's own message, for the server log.
 */
export type DirectoryAnswer = { ok: true; dn: string; username: string; groups: string[] } | { ok: false; reason: DirectoryRefusal; detail?: string };

/** The directory could not be asked (unreachable, TLS refused, a search failed): not the user's fault. */
export class DirectoryUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryUnavailable';
  }
}

/** Longer names are no login name in any directory we know; refusing them bounds the filter. */
const MAX_USERNAME_LENGTH = 256;
const GROUP_PAGE_SIZE = 500;
const ENTRY_ATTRIBUTES = ['memberOf', 'uid', 'sAMAccountName', 'userPrincipalName'];

type Ldapts = typeof import('ldapts');
interface Entry {
  dn: string;
  [attribute: string]: unknown;
}

export async function authenticate(settings: DirectorySettings, username: string, password: string): Promise<DirectoryAnswer> {
  if (password === '') return { ok: false, reason: 'empty-password' };
  // Control characters (NUL included) are in no login name; a directory may cut the value at NUL.
  if (username === '' || username.length > MAX_USERNAME_LENGTH || /\p{Cc}/u.test(username)) return { ok: false, reason: 'invalid-username' };
  const name = classifyLoginName(username);
  if (name.kind === 'bad-dn') return { ok: false, reason: 'invalid-username' };
  // Only DNs the plain login could have found: not the directory's admin or service accounts.
  if (name.kind === 'dn' && !isBelow(name.rdns, settings.userBaseDn)) return { ok: false, reason: 'dn-outside-base' };

  const { url, clientOptions, startTls } = connectionOptions(settings);
  // ldapts (~4 MB of memory) loads at the first login, not with every `vctp serve`.
  const ldapts = await import('ldapts');
  const client = new ldapts.Client({ url, ...clientOptions });
  try {
    if (startTls) await step('StartTLS', () => client.startTLS(startTls));
    if (name.kind !== 'plain') {
      const direct = await directLogin(client, ldapts, settings, name, username, password);
      if (direct !== 'not-a-bind-name') return direct;
    }
    return await searchThenBind(client, ldapts, settings, username, password);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Bind as the name itself, then read the user's own entry as the user. */
async function directLogin(
  client: Client,
  ldapts: Ldapts,
  settings: DirectorySettings,
  name: Exclude<LoginName, { kind: 'plain' | 'bad-dn' }>,
  username: string,
  password: string,
): Promise<DirectoryAnswer | 'not-a-bind-name'> {
  try {
    await client.bind(username, password);
  } catch (error) {
    if (error instanceof ldapts.InvalidCredentialsError) return { ok: false, reason: 'invalid-credentials' };
    // The directory takes only DNs as bind names (OpenLDAP): the name may be a uid with an @ in it.
    if (error instanceof ldapts.InvalidDNSyntaxError) return name.kind === 'dn' ? { ok: false, reason: 'invalid-username' } : 'not-a-bind-name';
    throw new DirectoryUnavailable(`LDAP bind failed: ${describe(error)}`, { cause: error });
  }

  const query = entryQuery(name, settings.userBaseDn);
  let found: Entry[];
  try {
    found = await search(client, 'reading the user entry', query.base, { scope: query.scope, filter: query.filter, attributes: ENTRY_ATTRIBUTES, sizeLimit: 2 });
  } catch (error) {
    if (error instanceof DirectoryUnavailable && error.cause instanceof ldapts.SizeLimitExceededError) return { ok: false, reason: 'ambiguous-entry' };
    if (error instanceof DirectoryUnavailable && error.cause instanceof ldapts.NoSuchObjectError) return { ok: false, reason: 'entry-not-found' };
    throw error;
  }
  if (found.length === 0) return { ok: false, reason: 'entry-not-found' };
  if (found.length > 1) return { ok: false, reason: 'ambiguous-entry' };
  const entry = found[0]!;
  const spelled = [...values(entry.uid), ...values(entry.sAMAccountName), ...values(entry.userPrincipalName)];
  const groups = await groupsOf(client, ldapts, settings, entry);
  return { ok: true, dn: entry.dn, username: spelled[0] ?? entry.dn, groups };
}

/** The anonymous search by uid or sAMAccountName, then a bind as the DN found. */
async function searchThenBind(client: Client, ldapts: Ldapts, settings: DirectorySettings, username: string, password: string): Promise<DirectoryAnswer> {
  const query = entryQuery({ kind: 'plain', name: username }, settings.userBaseDn);
  let found: Entry[];
  try {
    found = await search(client, 'the user search', query.base, { scope: query.scope, filter: query.filter, attributes: ['1.1'], sizeLimit: 2 });
  } catch (error) {
    if (!(error instanceof DirectoryUnavailable)) throw error;
    if (error.cause instanceof ldapts.SizeLimitExceededError) return { ok: false, reason: 'ambiguous-user' };
    // Active Directory: operationsError "a successful bind must be completed on the connection";
    // OpenLDAP `require authc`: unwillingToPerform "authentication required".
    const refused = [ldapts.OperationsError, ldapts.UnwillingToPerformError, ldapts.StrongAuthRequiredError, ldapts.InsufficientAccessError];
    if (refused.some((kind) => error.cause instanceof kind)) return { ok: false, reason: 'anonymous-search-refused', detail: describe(error.cause) };
    throw error;
  }
  if (found.length === 0) return { ok: false, reason: 'unknown-user' };
  if (found.length > 1) return { ok: false, reason: 'ambiguous-user' };
  const dn = found[0]!.dn;

  try {
    await client.bind(dn, password);
  } catch (error) {
    // Active Directory also answers a locked, expired or disabled account with invalidCredentials.
    if (error instanceof ldapts.InvalidCredentialsError) return { ok: false, reason: 'invalid-credentials' };
    throw new DirectoryUnavailable(`LDAP bind failed: ${describe(error)}`, { cause: error });
  }

  const own = await search(client, 'reading the user entry', dn, { scope: 'base', filter: '(objectClass=*)', attributes: ENTRY_ATTRIBUTES });
  const entry = own[0] ?? { dn };
  const names = [...values(entry.uid), ...values(entry.sAMAccountName)];
  const canonical = names.find((n) => n.toLowerCase() === username.toLowerCase()) ?? username;
  return { ok: true, dn, username: canonical, groups: await groupsOf(client, ldapts, settings, entry) };
}

async function groupsOf(client: Client, ldapts: Ldapts, settings: DirectorySettings, entry: Entry): Promise<string[]> {
  const memberOf = values(entry.memberOf);
  const uids = [...values(entry.uid), ...values(entry.sAMAccountName)];
  const dn = escapeFilterValue(entry.dn);
  const clauses = [`(member=${dn})`, `(uniqueMember=${dn})`, ...uids.map((uid) => `(memberUid=${escapeFilterValue(uid)})`)];
  let listing: string[] = [];
  try {
    const groups = await search(client, 'the group search', settings.groupBaseDn, {
      scope: 'sub',
      filter: `(|${clauses.join('')})`,
      attributes: ['1.1'],
      paged: { pageSize: GROUP_PAGE_SIZE },
    });
    listing = groups.map((e) => e.dn);
  } catch (error) {
    // A group base that does not exist holds no groups; memberOf may still have found some.
    if (!(error instanceof DirectoryUnavailable && error.cause instanceof ldapts.NoSuchObjectError)) throw error;
  }
  return uniqueDns([...memberOf, ...listing]);
}

async function search(client: Client, what: string, base: string, options: SearchOptions): Promise<Entry[]> {
  const result = await step(what, () => client.search(base, options));
  return result.searchEntries;
}

function values(attribute: unknown): string[] {
  if (attribute === undefined) return [];
  const list = Array.isArray(attribute) ? attribute : [attribute];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/** Case-insensitive de-duplication; the first spelling is kept. */
function uniqueDns(dns: string[]): string[] {
  const seen = new Map<string, string>();
  for (const dn of dns) {
    const key = dn.trim().toLowerCase();
    if (!seen.has(key)) seen.set(key, dn.trim());
  }
  return [...seen.values()];
}

async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new DirectoryUnavailable(`LDAP ${what} failed: ${describe(error)}`, { cause: error });
  }
}

/** Node's codes for a certificate it does not trust or whose name does not match. */
const CERTIFICATE_CODES = /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_(GET_ISSUER_CERT(_LOCALLY)?|VERIFY_LEAF_SIGNATURE)|CERT_\w+|ERR_TLS_CERT_ALTNAME_INVALID)$/;

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CERTIFICATE_CODES.test(code)) {
    return `${message} (trust the CA that signed the LDAP server's certificate with settings.ldap_trust_cert_file)`;
  }
  return message;
}
