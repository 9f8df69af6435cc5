// Rules that read the files a setting names, run by loadSettings (parseSettings stays pure).
//
// Only settings.vcenter_ca_file is read: vctp trusts it for every vCenter connection, and a file
// that holds no certificate would otherwise be skipped silently until a TLS error advises setting
// the very key that is set. The server's files (tls_cert_filename, tls_key_filename,
// ldap_trust_cert_file) belong to `vctp serve` and are not read here: a CLI-only install has none.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { SettingsFields } from './settings-schema.js';

/** No CA bundle comes near this (Mozilla's whole store is ~220 kB); it bounds a mistaken path. */
const MAX_CA_FILE_BYTES = 16 * 1024 * 1024;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/** Problems, one line each with its key path, for the files the settings name. */
export function settingFileProblems(fields: Partial<SettingsFields>): string[] {
  const problems: string[] = [];
  if (fields.vcenter_ca_file !== undefined) {
    const problem = caFileProblem(fields.vcenter_ca_file);
    if (problem !== undefined) problems.push(`settings.vcenter_ca_file: ${problem}`);
  }
  return problems;
}

/** What is wrong with `path` as a PEM bundle of CA certificates, or undefined when it is one. */
export function caFileProblem(path: string): string | undefined {
  let bytes: Buffer;
  try {
    // stat first: reading a FIFO or /dev/zero by mistake would block or never end.
    const info = statSync(path);
    if (info.isDirectory()) return `${path} is a directory; expected a PEM file of CA certificates`;
    if (!info.isFile()) return `${path} is not a regular file; expected a PEM file of CA certificates`;
    if (info.size > MAX_CA_FILE_BYTES) return `${path} is ${info.size} bytes, too large for a CA bundle; expected a PEM file of CA certificates`;
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${path}: file not found`;
    return `cannot read ${path} (${code ?? (error instanceof Error ? error.message : String(error))})`;
  }

  const blocks = bytes.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    if (isDerCertificate(bytes)) {
      return `${path} is a DER (binary) certificate, not PEM; convert it: openssl x509 -inform der -in ${path} -out ${path.replace(/\.(der|cer|crt)$/i, '')}.pem`;
    }
    return `${path} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block); expected a PEM file of CA certificates`;
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      const which = blocks.length === 1 ? 'its certificate' : `certificate ${i + 1} of ${blocks.length}`;
      return `${path}: ${which} cannot be parsed (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  return undefined;
}

function isDerCertificate(bytes: Buffer): boolean {
  if (bytes[0] !== 0x30) return false; // an ASN.1 SEQUENCE
  try {
    new X509Certificate(bytes);
    return true;
  } catch {
    return false;
  }
}
