// Secrets at rest: who else can read the settings file. An `enc:v1:` password protects nothing
// from a reader of the file: its key is derived from /etc/machine-id, which every local user can
// read, or is the encryption_key in the same file. So a file holding a secret that others can read
// is as good as plaintext, and the loader warns (the CLI logs it, `vctp doctor` shows it).
//
// Who may read it:
// - the owner: whoever it is, vctp runs as that user or as root;
// - the file's group when it is the group vctp runs as (its effective gid: `Group=vctp` in the
//   units, `runuser -u vctp`) or is named `vctp`: the install's 0640 root:vctp, read by the
//   service and by an administrator running vctp as root;
// - nobody else: another group (`adm`, `users`, a personal group of someone else) or every user
//   (o+r) is warned about.
import { readFileSync } from 'node:fs';
import type { Settings } from './settings-types.js';

/** The settings file's mode and group, and the process reading it. */
export interface SettingsFileAccess {
  path: string;
  /** st_mode (only the permission bits are used). */
  mode: number;
  gid: number;
  /** The group vctp runs as (its effective gid). */
  processGid: number;
  /** The name of a group id, or undefined when it has none here. */
  groupName(gid: number): string | undefined;
}

/** The name of the group every vctp unit runs as (systemd/vctp.sysusers). */
export const SERVICE_GROUP = 'vctp';

/** The secrets the settings hold, by key; a database_url counts when it holds a password. */
export function secretKeysOf(settings: Partial<Settings>): string[] {
  const keys: string[] = [];
  if (settings.vcenter_password) keys.push('vcenter_password');
  if (settings.vcenters && settings.vcenters.length > 0) keys.push('vcenters passwords');
  if (settings.encryption_key) keys.push('encryption_key');
  if (settings.auth_jwt_signing_key) keys.push('auth_jwt_signing_key');
  if (settings.database_url && urlHoldsPassword(settings.database_url)) keys.push("database_url's password");
  return keys;
}

function urlHoldsPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== '' || parsed.searchParams.get('password') !== null;
  } catch {
    return false;
  }
}

/** The warning about other readers of a settings file that holds secrets, or undefined. */
export function secretsAtRestWarning(settings: Partial<Settings>, file: SettingsFileAccess): string | undefined {
  const secrets = secretKeysOf(settings);
  if (secrets.length === 0) return undefined;
  const mode = file.mode & 0o777;
  const group = file.groupName(file.gid);
  const groupText = group === undefined ? `group ${file.gid}` : `group ${group} (gid ${file.gid})`;
  const groupIsService = file.gid === file.processGid || group === SERVICE_GROUP;

  let readers: string;
  let fix: string;
  if ((mode & 0o004) !== 0) {
    readers = (mode & 0o002) !== 0 ? 'every local user can read and change it' : 'every local user can read it';
    fix = `chmod o-rwx ${file.path} (0640 owner root, group ${SERVICE_GROUP}, as installed; or 0600 owned by the user vctp runs as)`;
  } else if ((mode & 0o040) !== 0 && !groupIsService) {
    readers = `the members of ${groupText} can read it`;
    fix = `chgrp ${SERVICE_GROUP} ${file.path} (the group vctp runs as), or chmod 0600 ${file.path} owned by the user vctp runs as`;
  } else {
    return undefined;
  }

  const held = secrets.join(', ');
  const key = settings.encryption_key ? 'its key is the encryption_key in the same file' : 'its key is derived from /etc/machine-id, which every local user can read';
  const encrypted = settings.vcenter_password || (settings.vcenters?.length ?? 0) > 0 ? `; an enc:v1: value is no protection from whoever reads the file (${key})` : '';
  return `file mode ${mode.toString(8).padStart(4, '0')}: the file holds secrets (${held}) and ${readers}${encrypted}. Fix: ${fix}`;
}

/** Group names from /etc/group; a group only a directory service knows has none here. */
export function systemGroupName(gid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync('/etc/group', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && Number(id) === gid && id.trim() !== '') return name;
  }
  return undefined;
}
