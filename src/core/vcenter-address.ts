// Which entries of settings.vcenter_addresses name the same vCenter. Pure: it reads only the URL
// text (recognising one vCenter reached by two different DNS names needs its about.instanceUuid,
// which only a capture sees).
//
// vctp keeps a vCenter's history under URL.host (host, plus the port when it is not the scheme's
// default: src/vcenter vcenterName). Two entries are the same vCenter when they reach the same
// server, that is the same host on the same port, or when vctp would keep both under one name:
//   - the scheme is case-insensitive and the host too (`HTTPS://VC1` = `https://vc1`);
//   - a port left out is the scheme's default (`https://vc` = `https://vc:443`);
//   - `localhost`, `127.0.0.1` (also written `127.1`) and `::1` are one host, this one;
//   - a trailing dot (`vc1.example.com.`, the fully qualified spelling) changes nothing;
//   - the path is not part of it (`/sdk` = `/sdk/`, and `/sdk` = `/other`: one server, one name);
//   - `http://vc` and `https://vc` are kept under the one name `vc`.
// User information in the URL (`https://user@vc`) is not part of the identity either.

export interface VcenterAddress {
  /** scheme://host:port/path: lower case, the port explicit, loopback as `localhost`, no trailing slash. */
  canonical: string;
  /** The host as compared: lower case, no trailing dot, loopback aliases as `localhost`. */
  host: string;
  /** The port connected to: explicit, or 443 for https and 80 for http. */
  port: number;
  /** Whether `port` is the scheme's default (then vctp names the vCenter by its host alone). */
  defaultPort: boolean;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

// As the WHATWG URL parser leaves them: `127.1` and `2130706433` already became 127.0.0.1,
// `[0:0::1]` became [::1], `[::ffff:127.0.0.1]` became [::ffff:7f00:1].
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '[::ffff:7f00:1]']);

/** The address's identity, or null for text that is not an http(s) URL with a host. */
export function normaliseVcenterAddress(url: string): VcenterAddress | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  const defaultPort = DEFAULT_PORTS[parsed.protocol];
  if (defaultPort === undefined || parsed.hostname === '') return null;
  let host = parsed.hostname.toLowerCase();
  if (host.endsWith('.') && !host.startsWith('[')) host = host.replace(/\.+$/, '');
  if (LOOPBACK.has(host)) host = 'localhost';
  const port = parsed.port === '' ? defaultPort : Number(parsed.port);
  const path = parsed.pathname.replace(/\/+$/, '');
  return { canonical: `${parsed.protocol}//${host}:${port}${path}`, host, port, defaultPort: port === defaultPort };
}

export interface DuplicateVcenter {
  /** The later entry, which repeats... */
  index: number;
  /** ...this earlier one. */
  first: number;
}

/** Each entry that names the same vCenter as an earlier one (entries that are no URL are skipped). */
export function duplicateVcenterAddresses(urls: readonly string[]): DuplicateVcenter[] {
  const byServer = new Map<string, number>();
  const byName = new Map<string, number>();
  const found: DuplicateVcenter[] = [];
  urls.forEach((url, index) => {
    const address = normaliseVcenterAddress(url);
    if (address === null) return;
    const server = `${address.host}:${address.port}`;
    const name = address.defaultPort ? address.host : server;
    const first = byServer.get(server) ?? byName.get(name);
    if (first !== undefined) found.push({ index, first });
    // A repeat's keys lead to the entry it repeats: `https://vc:80` repeats `http://vc`, which repeats `https://vc`.
    if (!byServer.has(server)) byServer.set(server, first ?? index);
    if (!byName.has(name)) byName.set(name, first ?? index);
  });
  return found;
}
