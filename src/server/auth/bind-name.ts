// What a login name is, and how the directory is asked about it: pure, no LDAP here.
//
// - `name@domain` (a UPN) and `DOMAIN\name` (a down-level logon name) are bind names Active
//   Directory takes directly in a simple bind; a full DN is one every directory takes. vctp binds
//   with them first, then, as that user, reads the user's own entry under ldap_user_base_dn: by
//   (userPrincipalName=...), by (sAMAccountName=<name>), or by reading the DN itself.
// - Any other name is plain: searched anonymously by uid or sAMAccountName, then bound as the DN
//   found (Active Directory refuses that anonymous search). A UPN- or DOMAIN\-shaped name that the
//   directory refuses as a bind name (OpenLDAP: invalidDNSyntax) is tried as a plain name too, so
//   a uid such as `jdoe@example.com` still logs in.
import { escapeFilterValue } from '../../core/ldap-escape.js';

/** One attribute value assertion of a relative DN, as written and as compared. */
export interface Ava {
  type: string;
  value: string;
}
export type Rdn = Ava[];

export type LoginName =
  | { kind: 'plain'; name: string }
  | { kind: 'upn'; upn: string; local: string; domain: string }
  | { kind: 'down-level'; domain: string; name: string }
  | { kind: 'dn'; dn: string; rdns: Rdn[] }
  /** Starts like a DN (`type=`) but is none (RFC 4514): refused before anything is sent. */
  | { kind: 'bad-dn' };

/** A DNS name (the UPN suffix) or a NetBIOS domain name: letters, digits, `-`, `_`, dots. */
const DOMAIN = /^[\p{L}\p{N}_-]+(\.[\p{L}\p{N}_-]+)*$/u;
/** `attributeType=` at the start: a descriptor or a numeric OID (RFC 4514 section 3). */
const DN_START = /^\s*([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)\s*=/;

export function classifyLoginName(username: string): LoginName {
  if (DN_START.test(username)) {
    const rdns = parseDn(username);
    return rdns === undefined || rdns.length === 0 ? { kind: 'bad-dn' } : { kind: 'dn', dn: username, rdns };
  }
  const slash = username.indexOf('\\');
  if (slash > 0 && slash === username.lastIndexOf('\\')) {
    const domain = username.slice(0, slash);
    const name = username.slice(slash + 1);
    if (DOMAIN.test(domain) && name !== '' && !name.includes('@')) return { kind: 'down-level', domain, name };
  }
  const at = username.indexOf('@');
  if (at > 0 && at === username.lastIndexOf('@') && slash < 0) {
    const local = username.slice(0, at);
    const domain = username.slice(at + 1);
    if (DOMAIN.test(domain) && !/\s/.test(local)) return { kind: 'upn', upn: username, local, domain };
  }
  return { kind: 'plain', name: username };
}

/** How the user's entry is found: `filter` under ldap_user_base_dn, or a base-scope read of a DN. */
export interface EntryQuery {
  base: string;
  scope: 'base' | 'sub';
  filter: string;
}

/**
 * The search for the user's entry. For a UPN only userPrincipalName is asked, not `mail`: mail is
 * neither unique nor always protected from its owner, and an entry matched by mail may not be the
 * account that just bound, which would hand it someone else's groups. A UPN is unique in the forest,
 * and AD resolves a bind name to the entry holding that UPN first.
 */
export function entryQuery(name: Exclude<LoginName, { kind: 'bad-dn' }>, userBaseDn: string): EntryQuery {
  switch (name.kind) {
    case 'plain': {
      const value = escapeFilterValue(name.name);
      return { base: userBaseDn, scope: 'sub', filter: `(|(uid=${value})(sAMAccountName=${value}))` };
    }
    case 'upn':
      return { base: userBaseDn, scope: 'sub', filter: `(userPrincipalName=${escapeFilterValue(name.upn)})` };
    case 'down-level':
      return { base: userBaseDn, scope: 'sub', filter: `(sAMAccountName=${escapeFilterValue(name.name)})` };
    case 'dn':
      return { base: name.dn, scope: 'base', filter: '(objectClass=*)' };
  }
}

/**
 * The failed-login counter's key: one count per account whatever form its name was typed in, as
 * far as the name alone tells. `jdoe`, `EXAMPLE\jdoe` and `jdoe@example.com` share one (AD's
 * default UPN is sAMAccountName@domain); a DN counts under its first RDN's value
 * (`uid=jdoe,...`, or `CN=jdoe,...` where the CN is the account name).
 */
export function failureKey(name: LoginName, username: string): string {
  const key = (() => {
    switch (name.kind) {
      case 'plain':
        return name.name;
      case 'upn':
        return name.local;
      case 'down-level':
        return name.name;
      case 'dn':
        return name.rdns[0]![0]!.value;
      case 'bad-dn':
        return username;
    }
  })();
  return key.toLowerCase().slice(0, 256);
}

/** Whether `dn` names an entry strictly below `base` (RDNs compared case-insensitively). */
export function isBelow(dn: Rdn[], base: string): boolean {
  const baseRdns = parseDn(base);
  if (baseRdns === undefined || dn.length <= baseRdns.length) return false;
  const offset = dn.length - baseRdns.length;
  return baseRdns.every((rdn, i) => rdnKey(rdn) === rdnKey(dn[offset + i]!));
}

function rdnKey(rdn: Rdn): string {
  return rdn
    .map((ava) => `${ava.type.toLowerCase()}=${ava.value.trim().replace(/\s+/g, ' ').toLowerCase()}`)
    .sort()
    .join('+');
}

const HEX = /^[0-9A-Fa-f]{2}$/;
const SPECIAL = ' "#+,;<=>\\';

/**
 * An RFC 4514 DN as RDNs (most specific first), values unescaped; undefined when it is not one.
 * Strict where it matters: characters RFC 4514 requires escaped (`"`, `;`, `<`, `>`) must be,
 * and every escape must be a special character or two hex digits. Spaces around `=`, `,` and `+`
 * are allowed (and dropped), as directories print them.
 */
export function parseDn(text: string): Rdn[] | undefined {
  const rdns: Rdn[] = [];
  let rdn: Rdn = [];
  let i = 0;
  const skipSpaces = () => {
    while (text[i] === ' ') i++;
  };
  for (;;) {
    skipSpaces();
    const typeStart = i;
    while (i < text.length && /[A-Za-z0-9.-]/.test(text[i]!)) i++;
    const type = text.slice(typeStart, i);
    if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)*)$/.test(type)) return undefined;
    skipSpaces();
    if (text[i] !== '=') return undefined;
    i++;
    skipSpaces();

    let value: string;
    if (text[i] === '#') {
      const start = i++;
      while (i < text.length && /[0-9A-Fa-f]/.test(text[i]!)) i++;
      value = text.slice(start, i).toLowerCase();
      if (value.length < 3 || value.length % 2 === 0) return undefined;
      skipSpaces();
    } else {
      const bytes: number[] = [];
      let trailingSpaces = 0;
      while (i < text.length && text[i] !== ',' && text[i] !== '+') {
        const ch = text[i]!;
        if (ch === '\\') {
          const pair = text.slice(i + 1, i + 3);
          if (HEX.test(pair)) {
            bytes.push(parseInt(pair, 16));
            i += 3;
          } else if (i + 1 < text.length && SPECIAL.includes(text[i + 1]!)) {
            bytes.push(text.charCodeAt(i + 1));
            i += 2;
          } else return undefined;
          trailingSpaces = 0;
          continue;
        }
        if ('";<>'.includes(ch) || ch === '\0') return undefined;
        trailingSpaces = ch === ' ' ? trailingSpaces + 1 : 0;
        bytes.push(...Buffer.from(ch, 'utf8'));
        i++;
      }
      // Unescaped trailing spaces are not part of the value (RFC 4514 requires them escaped).
      value = Buffer.from(bytes.slice(0, bytes.length - trailingSpaces)).toString('utf8');
      if (value === '' || value.includes('\uFFFD')) return undefined;
    }
    rdn.push({ type, value });
    if (i >= text.length) {
      rdns.push(rdn);
      return rdns;
    }
    if (text[i] === ',') {
      rdns.push(rdn);
      rdn = [];
    } else if (text[i] !== '+') return undefined;
    i++;
  }
}
