// How vctp talks to the LDAP server: the URL's scheme and three settings decide.
//
// - ldaps://HOST:636: TLS from the first byte.
// - ldap://HOST:389: upgraded with StartTLS before anything else is sent, so that the password
//   never crosses the network in clear; a server that refuses StartTLS refuses every login.
// - settings.ldap_insecure: true: an ldap:// URL stays plain text (no StartTLS): passwords cross
//   the network readable. For a directory on the same host or a lab. No effect on ldaps://.
// - settings.ldap_disable_validation: true: TLS (ldaps:// or StartTLS) without checking the
//   server's certificate or name: encrypted, but anyone on the path can pose as the server and
//   collect passwords. Prefer ldap_trust_cert_file.
// - settings.ldap_trust_cert_file: a PEM bundle of the CA certificates that signed the server's
//   certificate, trusted instead of the system's CAs.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { ClientOptions } from 'ldapts';
import { VctpError } from '../../core/errors.js';

export interface LdapConnectionSettings {
  url: string;
  /** PEM text of ldap_trust_cert_file, read at startup. */
  trustedCa?: string;
  disableValidation: boolean;
  insecure: boolean;
  /** Bound on connecting and on each LDAP operation. */
  timeoutMs: number;
}

export interface ConnectionPlan {
  url: string;
  clientOptions: Omit<ClientOptions, 'url'>;
  /** Options for StartTLS on an ldap:// URL; undefined when none is done. */
  startTls?: ConnectionOptions;
}

export function connectionOptions(settings: LdapConnectionSettings): ConnectionPlan {
  const url = new URL(settings.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const tls: ConnectionOptions = {
    rejectUnauthorized: !settings.disableValidation,
    minVersion: 'TLSv1.2',
    ...(settings.trustedCa !== undefined ? { ca: settings.trustedCa } : {}),
    // SNI and the name checked against the certificate (StartTLS gets no host from ldapts).
    host,
    ...(isIP(host) === 0 ? { servername: host } : {}),
  };
  const clientOptions = { timeout: settings.timeoutMs, connectTimeout: settings.timeoutMs };
  if (url.protocol === 'ldaps:') return { url: settings.url, clientOptions: { ...clientOptions, tlsOptions: tls } };
  return { url: settings.url, clientOptions, ...(settings.insecure ? {} : { startTls: tls }) };
}

/** No CA bundle comes near this (Mozilla's whole store is ~220 kB); it bounds a mistaken path. */
const MAX_CA_FILE_BYTES = 16 * 1024 * 1024;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The PEM text of settings.ldap_trust_cert_file, checked to hold at least one parseable
 * certificate; a config error naming the setting otherwise (a file that holds none would make
 * every login fail later with a TLS error that does not say why).
 */
export function readTrustedCa(path: string): string {
  const fail = (why: string) => new VctpError('config', `settings.ldap_trust_cert_file: ${why}`);
  let text: string;
  try {
    const info = statSync(path);
    if (!info.isFile()) throw fail(`${path} is not a regular file; expected a PEM file of CA certificates`);
    if (info.size > MAX_CA_FILE_BYTES) throw fail(`${path} is ${info.size} bytes, too large for a CA bundle`);
    text = readFileSync(path, 'latin1');
  } catch (error) {
    if (error instanceof VctpError) throw error;
    throw fail(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw fail(`${path} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw fail(`${path}: a certificate cannot be parsed (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return text;
}
