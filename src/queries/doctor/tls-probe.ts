// One TLS handshake with a vCenter, trusting what vctp's client trusts (Node's bundled CAs plus
// settings.vcenter_ca_file), but without rejecting: doctor wants to say *why* a certificate is not
// trusted, which CA anchored it when it is, and when it expires.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, rootCertificates, type DetailedPeerCertificate } from 'node:tls';

export interface TlsFacts {
  /** Chain and host name verified, as the client would. */
  verified: boolean;
  /** What anchored a verified chain. */
  trustedBy: 'vcenter_ca_file' | 'bundled CAs' | null;
  /** Why it is not verified: OpenSSL's code (SELF_SIGNED_CERT_IN_CHAIN, ...) or the host name mismatch. */
  error: string | null;
  subject: string;
  issuer: string;
  /** The top of the chain the server sent or the store completed (the CA that would have to be trusted). */
  root: string;
  validTo: string;
  /** Days until the certificate expires (negative: expired). */
  daysLeft: number;
}

export class CaFileError extends Error {}

export async function probeTls(url: URL, caFile: string | undefined, timeoutMs: number, nowMs: number): Promise<TlsFacts> {
  let caPem: string | undefined;
  if (caFile) {
    try {
      caPem = await readFile(caFile, 'utf8');
    } catch (error) {
      throw new CaFileError(`cannot read settings.vcenter_ca_file ${caFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const cert = await new Promise<{ peer: DetailedPeerCertificate; authorized: boolean; authError: string | null }>((resolve, reject) => {
    const socket = connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      ...(caPem ? { ca: [...rootCertificates, caPem] } : {}),
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      const authError = socket.authorizationError ? String((socket.authorizationError as NodeJS.ErrnoException).code ?? socket.authorizationError) : null;
      resolve({ peer, authorized: socket.authorized, authError });
      socket.end();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(Object.assign(new Error(`TLS handshake timed out after ${Math.round(timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', reject);
  });

  const { peer } = cert;
  const identity = cert.authorized ? checkServerIdentity(host, peer) : undefined;
  const chain = chainOf(peer);
  const fromFile = caPem ? fingerprints(caPem) : new Set<string>();
  const verified = cert.authorized && identity === undefined;
  const validTo = new Date(peer.valid_to);
  return {
    verified,
    trustedBy: verified ? (chain.some((c) => fromFile.has(c.fingerprint256)) ? 'vcenter_ca_file' : 'bundled CAs') : null,
    error: cert.authError ?? (identity ? `${(identity as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID'}: ${identity.message}` : null),
    subject: nameOf(peer.subject),
    issuer: nameOf(peer.issuer),
    root: nameOf(chain[chain.length - 1]?.subject),
    validTo: validTo.toISOString(),
    daysLeft: Math.floor((validTo.getTime() - nowMs) / 86_400_000),
  };
}

function chainOf(peer: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  let cert: DetailedPeerCertificate | undefined = peer;
  while (cert && Object.keys(cert).length > 0 && !chain.includes(cert) && chain.length < 10) {
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

function fingerprints(pem: string): Set<string> {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const set = new Set<string>();
  for (const block of blocks) {
    try {
      set.add(new X509Certificate(block).fingerprint256);
    } catch {
      // A block that does not parse cannot anchor anything; the handshake result says the rest.
    }
  }
  return set;
}

function nameOf(name: Record<string, unknown> | undefined): string {
  if (!name) return '?';
  const cn = name['CN'];
  const o = name['O'];
  return [cn && `CN=${String(cn)}`, o && `O=${String(o)}`].filter(Boolean).join(', ') || '?';
}
