// `vctp init`'s access to the settings layer: build the file text from the answers and write it
// (src/config/init-settings.ts), keeping the secrets of a file --force replaces. The CLI reaches
// src/config only through src/app.
import { assertMayWrite, buildSettingsText, keptSecretsOf, serviceGroupId, writeSettingsFile, type InitAnswers } from '../config/init-settings.js';
import { osUser } from '../config/os-user.js';
import { settingsPathFrom } from '../config/index.js';
import { createLogger, type Logger } from '../log/logger.js';

export type { InitAnswers, InitAuth, InitVcenter } from '../config/init-settings.js';

/** The file init writes: -s FILE, else $VCTP_SETTINGS, else /etc/dtms/vctp.yml (as every command reads it). */
export function initSettingsPath(settings: string | undefined): string {
  return settingsPathFrom(settings);
}

/** A logger for the checks' vCenter and database clients: only their errors, which the wizard shows itself. */
export function initLogger(): Logger {
  return createLogger({ level: 'silent' });
}

/** Fails before any question when the file exists and --force was not given. */
export async function assertMayWriteSettings(path: string, force: boolean): Promise<void> {
  await assertMayWrite(path, force);
}

/**
 * Renders and validates the settings file text (a usage error naming each setting the answers get
 * wrong); nothing is written. --non-interactive calls it before its checks, so that a mistake in
 * the flags is reported before any login is tried.
 */
export async function renderInitSettings(path: string, answers: InitAnswers, options: { force: boolean }): Promise<string> {
  const kept = options.force ? await keptSecretsOf(path) : {};
  return buildSettingsText(answers, { path, kept, writtenBy: `vctp init (${osUser()})`, now: new Date() });
}

/** Writes what renderInitSettings gave (atomically, 0640, refused over a file without --force). */
export async function writeInitSettings(path: string, text: string, options: { force: boolean }): Promise<void> {
  await writeSettingsFile(path, text, { force: options.force, serviceGid: await serviceGroupId() });
}
