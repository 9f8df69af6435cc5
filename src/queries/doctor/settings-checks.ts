// Doctor's settings checks: the file loads and is valid, and the keys it sets that vctp ignores.
import { doctorCheck, type DoctorCheck } from '../../core/doctor-check.js';
import type { SettingsFileFacts } from './types.js';

/** How the file holds one vCenter password (settings.vcenter_password, settings.vcenters[1].password); those unset or undecryptable are left out (the vCenter checks say why). */
export type PasswordFacts = { key: string; form: string };

export function settingsChecks(file: SettingsFileFacts, passwords: readonly PasswordFacts[]): DoctorCheck[] {
  if (file.error !== null) {
    return [doctorCheck('settings', 'fail', `${file.error}\nfix the file; every other check needs it`, { path: file.path })];
  }
  const notes = [...file.warnings];
  for (const password of passwords) {
    if (password.form === 'enc:v1') continue;
    notes.push(`${password.key}: held as ${password.form} in the file; put the output of \`vctp encrypt\` there (a job encrypts it in place only where it may write the file)`);
  }
  const settings = doctorCheck('settings', notes.length > 0 ? 'warn' : 'ok', [`${file.path} loads and is valid`, ...notes].join('\n'), {
    path: file.path,
    warnings: notes,
  });
  return [settings, ignoredKeysCheck(file)];
}

function ignoredKeysCheck(file: SettingsFileFacts): DoctorCheck {
  const keys = file.ignoredKeys;
  if (keys.length === 0) return doctorCheck('settings: ignored keys', 'ok', 'the file sets no key that vctp ignores', { keys: [] });
  const lines = keys.map((k) => `${k.key}${k.atDefault ? ' (at its default)' : ''}: ${k.reason}`);
  return doctorCheck(
    'settings: ignored keys',
    'warn',
    [`${keys.length} key${keys.length === 1 ? '' : 's'} vctp accepts but ignores; remove ${keys.length === 1 ? 'it' : 'them'} to silence this:`, ...lines].join('\n'),
    { keys },
  );
}
