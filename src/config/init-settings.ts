// What `vctp init` turns its answers into: the settings file text (passwords encrypted as
// enc:v1:, rendered by settings-render.ts, checked by the settings parser itself), and the one
// write of it (atomic, 0640, never over an existing file unless told).
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chown, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VctpError } from '../core/errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { ensureDirectory } from '../files/ensure-directory.js';
import { activeKey, systemHostIdentity, type HostIdentitySource } from './encryption-keys.js';
import { parseSettings } from './parse-settings.js';
import { SettingsError } from './problems.js';
import { settingFileProblems } from './setting-files.js';
import { encryptSecret } from './secret-box.js';
import { SERVICE_GROUP } from './settings-file-access.js';
import { renderSettingsFile, type DraftAuth, type SettingsDraft } from './settings-render.js';

/** One vCenter as answered, the password in plaintext. */
export interface InitVcenter {
  url: string;
  username: string;
  password: string;
  /** Listed under vcenter_addresses with the shared vcenter_username/password; else under vcenters. */
  shared: boolean;
}

export type InitAuth = { kind: 'none' } | { kind: 'ldap'; bindAddress: string; baseDn: string; groupRoles: Record<string, 'viewer' | 'admin'>; ldapInsecure?: boolean };

export interface InitAnswers {
  vcenters: readonly InitVcenter[];
  vcenterCaFile?: string;
  vcenterInsecure?: boolean;
  database: { driver: 'sqlite' | 'postgres'; url: string };
  reportsDir: string;
  metricsTextfileDir?: string;
  auth: InitAuth;
}

/** Secrets of the file being replaced (--force) that the new one keeps. */
export interface KeptSecrets {
  encryptionKey?: string;
  jwtSigningKey?: string;
}

export interface BuildOptions {
  path: string;
  kept?: KeptSecrets;
  writtenBy: string;
  now: Date;
  host?: HostIdentitySource;
}

/**
 * The commented settings text for `answers`, passwords as enc:v1: values under the key vctp will
 * decrypt them with. Checked by parseSettings before it is returned: a problem or a warning is an
 * error here (naming the setting), so init never writes a file the jobs would refuse.
 */
export function buildSettingsText(answers: InitAnswers, options: BuildOptions): string {
  const kept = options.kept ?? {};
  const key = activeKey(kept.encryptionKey === undefined ? null : { encryption_key: kept.encryptionKey }, options.host ?? systemHostIdentity);
  const seal = (plain: string) => encryptSecret(plain, key);
  const shared = answers.vcenters.filter((v) => v.shared);
  const first = shared[0];
  if (first && shared.some((v) => v.username !== first.username || v.password !== first.password)) {
    throw new VctpError('internal', 'vCenters listed under vcenter_addresses must share one username and password');
  }
  const draft: SettingsDraft = {
    shared: first ? { urls: shared.map((v) => v.url), username: first.username, password: seal(first.password) } : null,
    vcenters: answers.vcenters.filter((v) => !v.shared).map((v) => ({ url: v.url, username: v.username, password: seal(v.password) })),
    ...(answers.vcenterCaFile === undefined ? {} : { vcenterCaFile: answers.vcenterCaFile }),
    ...(answers.vcenterInsecure ? { vcenterInsecure: true } : {}),
    ...(kept.encryptionKey === undefined ? {} : { encryptionKey: kept.encryptionKey }),
    database: answers.database,
    reportsDir: answers.reportsDir,
    ...(answers.metricsTextfileDir === undefined ? {} : { metricsTextfileDir: answers.metricsTextfileDir }),
    auth: draftAuth(answers.auth, kept),
    writtenBy: options.writtenBy,
    writtenAt: options.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const text = renderSettingsFile(draft);
  let warnings: string[];
  try {
    // With the rules loadSettings adds (vcenter_ca_file must hold a PEM certificate), so that
    // what init writes is what every command then loads.
    warnings = parseSettings(text, options.path, { fileProblems: settingFileProblems }).warnings;
  } catch (error) {
    if (error instanceof SettingsError) {
      throw new VctpError('usage', `the answers do not make a valid settings file (nothing written):\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
    }
    throw error;
  }
  if (warnings.length > 0) throw new VctpError('internal', `the settings file init renders has warnings: ${warnings.join('; ')}`);
  return text;
}

function draftAuth(auth: InitAuth, kept: KeptSecrets): DraftAuth {
  if (auth.kind === 'none') return auth;
  // 32 random bytes: HS256 wants a key at least as long as its hash.
  return { ...auth, jwtSigningKey: kept.jwtSigningKey ?? randomBytes(32).toString('base64') };
}

/**
 * The secrets of a settings file that --force replaces, when it loads: passwords elsewhere may
 * have been encrypted with its encryption_key, and issued tokens were signed with its key.
 */
export async function keptSecretsOf(path: string): Promise<KeptSecrets> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const { settings } = parseSettings(text, path);
    return {
      ...(settings.encryption_key === undefined ? {} : { encryptionKey: settings.encryption_key }),
      ...(settings.auth_jwt_signing_key === undefined ? {} : { jwtSigningKey: settings.auth_jwt_signing_key }),
    };
  } catch {
    return {}; // a file that does not load has nothing worth keeping
  }
}

/**
 * Writes the settings file: refused when it exists unless `force`; its directory is created; a new
 * file is 0640 and, written by root, given the group vctp runs as when that group exists (the
 * install's root:vctp), so the service can read it and nobody else can. A replaced file keeps its
 * mode and owner (src/files/atomic-write.ts).
 */
export async function writeSettingsFile(path: string, text: string, options: { force: boolean; serviceGid?: number | undefined }): Promise<void> {
  const existing = await assertMayWrite(path, options.force);
  try {
    await ensureDirectory(dirname(path));
    await writeFileAtomic(path, text, { mode: 0o640 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new VctpError('usage', `${path}: cannot write the settings file (${code ?? (error as Error).message}); nothing written`, { cause: error });
  }
  if (!existing && options.serviceGid !== undefined && process.getuid?.() === 0) {
    await chown(path, 0, options.serviceGid).catch(() => undefined);
  }
}

/** Refuses an existing file without `force`, and a directory always; init calls it before asking anything too. */
export async function assertMayWrite(path: string, force: boolean): Promise<Stats | null> {
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory()) throw new VctpError('usage', `${path}: is a directory; pass -s FILE naming the settings file to write`);
  if (existing && !force) {
    throw new VctpError('usage', `${path}: a settings file is already there; nothing written (pass --force to replace it, or -s FILE to write another)`);
  }
  return existing;
}

/** The gid of the group the units run as (`vctp`), or undefined where it does not exist. */
export async function serviceGroupId(): Promise<number | undefined> {
  const text = await readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name === SERVICE_GROUP && id !== undefined && id.trim() !== '') return Number(id);
  }
  return undefined;
}
