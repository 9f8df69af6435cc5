// Who a username and password are, according to the LDAP directory: the user's DN and group DNs.
//
// 1. An empty password is refused before anything is sent: a simple bind with a DN and no password
//    is an "unauthenticated bind" (RFC 4513 5.1.2) that many servers answer with success.
// 2. Connect (ldaps://, or ldap:// upgraded with StartTLS unless ldap_insecure; see ldap-tls.ts).
// 3. Find the user anonymously under ldap_user_base_dn by `uid` or `sAMAccountName` (the value
//    escaped per RFC 4515); exactly one entry must match. vctp has no service account setting, so
//    the directory must allow this anonymous search (OpenLDAP does by default; Active Directory
//    does not, see the README).
// 4. Bind as that DN with the password.
// 5. As the user, read its groups: `memberOf` on its entry (Active Directory, OpenLDAP with the
//    memberof overlay), and groups under ldap_base_dn that list it as `member` or `uniqueMember`
//    (its DN) or `memberUid` (its uid, posixGroup). Direct membership only: nested groups are not
//    followed.
import type { Client, NoSuchObjectError as NoSuchObject } from 'ldapts';
import { escapeFilterValue } from '../../core/ldap-escape.js';
import { connectionOptions, type LdapConnectionSettings } from './ldap-tls.js';

export interface DirectorySettings extends LdapConnectionSettings {
  userBaseDn: string;
  /** Where groups are searched: ldap_base_dn (groups often live outside the users' OU). */
  groupBaseDn: string;
}

export type DirectoryRefusal = 'empty-password' | 'invalid-username' | 'unknown-user' | 'ambiguous-user' | 'invalid-credentials';

/** `username` as the directory spells it (its uid or sAMAccountName), whatever case was typed. */
export type DirectoryAnswer = { ok: true; dn: string; username: string; groups: string[] } | { ok: false; reason: DirectoryRefusal };

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

export async function authenticate(settings: DirectorySettings, username: string, password: string): Promise<DirectoryAnswer> {
  if (password === '') return { ok: false, reason: 'empty-password' };
  // Control characters (NUL included) are in no login name; a directory may cut the value at NUL.
  if (username === '' || username.length > MAX_USERNAME_LENGTH || /\p{Cc}/u.test(username)) return { ok: false, reason: 'invalid-username' };

  const { url, clientOptions, startTls } = connectionOptions(settings);
  // ldapts (~4 MB of memory) loads at the first login, not with every `vctp serve`.
  const { Client, InvalidCredentialsError, NoSuchObjectError, SizeLimitExceededError } = await import('ldapts');
  const client = new Client({ url, ...clientOptions });
  try {
    if (startTls) await step('StartTLS', () => client.startTLS(startTls));

    const name = escapeFilterValue(username);
    let found;
    try {
      found = await step('the user search', () =>
        client.search(settings.userBaseDn, { scope: 'sub', filter: `(|(uid=${name})(sAMAccountName=${name}))`, attributes: ['1.1'], sizeLimit: 2 }),
      );
    } catch (error) {
      if (error instanceof DirectoryUnavailable && error.cause instanceof SizeLimitExceededError) return { ok: false, reason: 'ambiguous-user' };
      throw error;
    }
    if (found.searchEntries.length === 0) return { ok: false, reason: 'unknown-user' };
    if (found.searchEntries.length > 1) return { ok: false, reason: 'ambiguous-user' };
    const dn = found.searchEntries[0]!.dn;

    try {
      await client.bind(dn, password);
    } catch (error) {
      // Active Directory also answers a locked, expired or disabled account with invalidCredentials.
      if (error instanceof InvalidCredentialsError) return { ok: false, reason: 'invalid-credentials' };
      throw new DirectoryUnavailable(`LDAP bind failed: ${describe(error)}`, { cause: error });
    }

    const { names, groups } = await groupsOf(client, settings, dn, NoSuchObjectError);
    const canonical = names.find((n) => n.toLowerCase() === username.toLowerCase()) ?? username;
    return { ok: true, dn, username: canonical, groups };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

async function groupsOf(
  client: Client,
  settings: DirectorySettings,
  dn: string,
  NoSuchObjectError: typeof NoSuchObject,
): Promise<{ names: string[]; groups: string[] }> {
  const own = await step('reading the user entry', () => client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['memberOf', 'uid', 'sAMAccountName'] }));
  const entry = own.searchEntries[0];
  const memberOf = values(entry?.memberOf);
  const uids = [...values(entry?.uid), ...values(entry?.sAMAccountName)];

  const clauses = [`(member=${escapeFilterValue(dn)})`, `(uniqueMember=${escapeFilterValue(dn)})`, ...uids.map((uid) => `(memberUid=${escapeFilterValue(uid)})`)];
  let listing: string[] = [];
  try {
    const groups = await step('the group search', () =>
      client.search(settings.groupBaseDn, { scope: 'sub', filter: `(|${clauses.join('')})`, attributes: ['1.1'], paged: { pageSize: GROUP_PAGE_SIZE } }),
    );
    listing = groups.searchEntries.map((e) => e.dn);
  } catch (error) {
    // A group base that does not exist holds no groups; memberOf may still have found some.
    if (!(error instanceof DirectoryUnavailable && error.cause instanceof NoSuchObjectError)) throw error;
  }
  return { names: uids, groups: uniqueDns([...memberOf, ...listing]) };
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
