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

/** Renders, validates and writes the settings file; returns its text. */
export async function writeInitSettings(path: string, answers: InitAnswers, options: { force: boolean }): Promise<string> {
  const kept = options.force ? await keptSecretsOf(path) : {};
  const text = buildSettingsText(answers, { path, kept, writtenBy: `vctp init (${osUser()})`, now: new Date() });
  await writeSettingsFile(path, text, { force: options.force, serviceGid: await serviceGroupId() });
  return text;
}
