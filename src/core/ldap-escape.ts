// Escaping of values placed in LDAP search filters (RFC 4515 section 3). A login name goes into
// `(uid=<name>)`: unescaped, `*` would match every user and `)(` would add clauses of its own.

/**
 * The value as an RFC 4515 assertion value: NUL, `(`, `)`, `*` and `\` become `\XX` (two hex
 * digits); everything else, UTF-8 included, stays as written (RFC 4515 allows it unescaped).
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\0()*\\]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
