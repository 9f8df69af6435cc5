// The forms `vctp init` accepts for its answers and flags, checked before anything is tried. The
// settings parser checks the whole file again before it is written (src/config/init-settings.ts).

/**
 * A vCenter address as typed: `vc1.example.com`, `vc1:8443`, `https://vc1` or the full SDK URL.
 * Without a scheme it is https; without a path, /sdk (where vSphere's API answers).
 */
export function normaliseVcenterUrl(answer: string): string | { error: string } {
  const text = answer.trim();
  if (text === '') return { error: 'a vCenter address is needed' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { error: `${JSON.stringify(text)} is not a host name or URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: `expected https:// (or http://), got ${url.protocol}//` };
  if (url.hostname === '') return { error: `${JSON.stringify(text)} names no host` };
  if (url.pathname === '/') url.pathname = '/sdk';
  return url.href;
}

export function validateDirectory(value: string): true | string {
  const text = value.trim();
  if (text === '') return 'a path is needed';
  return text.startsWith('/') ? true : 'an absolute path is needed (the jobs run from systemd, in another directory)';
}

export function validatePostgresUrl(value: string): true | string {
  const text = value.trim();
  if (!/^postgres(ql)?:\/\//i.test(text)) return 'expected a postgres:// or postgresql:// URL';
  try {
    return new URL(text).hostname === '' ? 'the URL names no host' : true;
  } catch {
    return 'not a valid URL (percent-encode special characters of the password: @ as %40, : as %3A, / as %2F)';
  }
}

export function validateLdapUrl(value: string): true | string {
  try {
    const url = new URL(value.trim());
    return (url.protocol === 'ldap:' || url.protocol === 'ldaps:') && url.hostname !== '' ? true : 'expected an ldap:// or ldaps:// URL';
  } catch {
    return 'expected an ldap:// or ldaps:// URL';
  }
}
