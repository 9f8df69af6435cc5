// `vctp init`: writes a first settings file. On a terminal, a wizard asks for each value and tries
// each vCenter login and the database as it goes (init-wizard.ts); with --non-interactive the
// flags give every value, the same checks run, and any failure ends the run with nothing written.
// The file is -s FILE (else $VCTP_SETTINGS, else /etc/dtms/vctp.yml), never replaced without --force.
import { confirm, input, password, select } from '@inquirer/prompts';
import { assertMayWriteSettings, initLogger, initSettingsPath, renderInitSettings, writeInitSettings, type InitAnswers, type InitAuth, type InitVcenter } from '../../app/init-settings.js';
import type { RuntimeOptions } from '../../app/runtime.js';
import { InterruptedError, VctpError } from '../../core/errors.js';
import { checkDatabase, checkVcenterLogin } from '../../jobs/init-checks.js';
import { DEFAULT_REPORTS_DIR, DEFAULT_SQLITE_PATH, redactUrl, runInitWizard, type Prompter, type WizardChecks } from './init-wizard.js';
import { readFirstLine } from './encrypt.js';
import { normaliseVcenterUrl, validateDirectory, validateLdapUrl, validatePostgresUrl } from './init-values.js';

export interface InitFlags {
  nonInteractive?: boolean;
  force?: boolean;
  skipChecks?: boolean;
  vcenter?: string[];
  vcenterUsername?: string;
  vcenterPassword?: string;
  vcenterCaFile?: string;
  vcenterInsecure?: boolean;
  databaseDriver?: 'sqlite' | 'postgres';
  databaseUrl?: string;
  reportsDir?: string;
  auth?: 'none' | 'ldap';
  ldapBindAddress?: string;
  ldapBaseDn?: string;
  ldapAdminGroup?: string[];
  ldapViewerGroup?: string[];
}

export async function initCommand(globals: RuntimeOptions, flags: InitFlags): Promise<void> {
  const path = initSettingsPath(globals.settings);
  const force = flags.force ?? false;
  await assertMayWriteSettings(path, force);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const checks = initChecks();
  let answers: InitAnswers;
  if (flags.nonInteractive) {
    // `--vcenter-password -`: the first line of stdin, so the password stays off the command line (ps).
    const fromStdin = flags.vcenterPassword === '-' ? { vcenterPassword: await readFirstLine(process.stdin) } : {};
    answers = answersFromFlags({ ...flags, ...fromStdin }, globals.metricsTextfileDir);
    await renderInitSettings(path, answers, { force }); // a mistake in the flags fails before any login
    if (!flags.skipChecks) await checkAll(answers, checks, say);
  } else {
    if (!process.stdin.isTTY) {
      throw new VctpError('usage', 'vctp init asks its questions on a terminal; without one, pass --non-interactive and the values as flags (vctp init --help)');
    }
    say(`vctp init: writes ${path}; Ctrl-C stops without writing anything.`);
    answers = await runInitWizard({ prompt: inquirerPrompter(), checks, say, skipChecks: flags.skipChecks ?? false }).catch((error: unknown) => {
      // Ctrl-C at a prompt (the terminal is raw, so it is a key, not a signal): exit 130, nothing written.
      if ((error as Error)?.name !== 'ExitPromptError') throw error;
      throw Object.assign(new InterruptedError('SIGINT'), { message: 'vctp init: stopped by Ctrl-C; nothing written' });
    });
  }
  await writeInitSettings(path, await renderInitSettings(path, answers, { force }), { force });
  say(`wrote ${path}; next: vctp doctor, then vctp snapshot (or enable the timers)`);
}

function initChecks(): WizardChecks {
  const log = initLogger();
  return {
    vcenter: (login) => checkVcenterLogin(login, log),
    database: (database) => checkDatabase({ database_driver: database.driver, database_url: database.url }),
  };
}

/** --non-interactive: every check must pass; the first failure is the error, naming the flag's value. */
async function checkAll(answers: InitAnswers, checks: WizardChecks, say: (line: string) => void): Promise<void> {
  for (const v of answers.vcenters) {
    const outcome = await checks.vcenter({ ...v, insecure: answers.vcenterInsecure ?? false, caFile: answers.vcenterCaFile ?? null });
    if (!outcome.ok) {
      throw new VctpError('vcenter', `--vcenter ${v.url}: login as ${v.username} failed: ${outcome.error}; nothing written (--skip-checks writes the file without trying)`);
    }
    say(`${v.url}: ${outcome.detail}`);
  }
  const outcome = await checks.database(answers.database);
  if (!outcome.ok) {
    const shown = answers.database.driver === 'sqlite' ? answers.database.url : redactUrl(answers.database.url);
    throw new VctpError('database', `--database-url ${shown}: ${outcome.error}; nothing written (--skip-checks writes the file without trying)`);
  }
  say(`database: ${outcome.detail}`);
}

/**
 * The answers the flags give. A --vcenter URL with user information (https://user:pass@host/sdk,
 * percent-encoded) logs in with its own account and is written under settings.vcenters; the others
 * share --vcenter-username/--vcenter-password under settings.vcenter_addresses.
 */
export function answersFromFlags(flags: InitFlags, metricsTextfileDir: string | undefined): InitAnswers {
  const missing = (flag: string, why: string) => new VctpError('usage', `${flag}: required with --non-interactive (${why})`);
  const urls = flags.vcenter ?? [];
  if (urls.length === 0) throw missing('--vcenter', 'the SDK URL of each vCenter, repeatable');
  const vcenters: InitVcenter[] = urls.map((given) => {
    const own = userInfoOf(given);
    const url = normaliseVcenterUrl(own.url);
    if (typeof url !== 'string') throw new VctpError('usage', `--vcenter ${JSON.stringify(redactUrl(given))}: ${url.error}`);
    if (own.username !== undefined) {
      if (own.password === undefined || own.password === '') throw new VctpError('usage', `--vcenter ${redactUrl(given)}: has a username but no password (https://user:password@host/sdk)`);
      return { url, username: own.username, password: own.password, shared: false };
    }
    if (!flags.vcenterUsername) throw missing('--vcenter-username', `the account for ${url}; or give it its own as https://user:password@host/sdk`);
    if (flags.vcenterPassword === undefined) throw missing('--vcenter-password', `the password of ${flags.vcenterUsername}`);
    return { url, username: flags.vcenterUsername, password: flags.vcenterPassword, shared: true };
  });
  for (const v of vcenters) {
    if ([...v.password].length <= 2) throw new VctpError('usage', `the password for ${v.url} must be longer than 2 characters (the settings file refuses shorter ones)`);
  }

  const driver = flags.databaseDriver ?? 'sqlite';
  let url = flags.databaseUrl?.trim();
  if (driver === 'postgres') {
    if (!url) throw missing('--database-url', 'the postgres:// URL, with --database-driver postgres');
    const valid = validatePostgresUrl(url);
    if (valid !== true) throw new VctpError('usage', `--database-url: ${valid}`);
  } else {
    url ??= DEFAULT_SQLITE_PATH;
    const valid = validateDirectory(url);
    if (valid !== true) throw new VctpError('usage', `--database-url ${url}: ${valid}`);
  }
  const reportsDir = flags.reportsDir?.trim() ?? DEFAULT_REPORTS_DIR;
  const validReports = validateDirectory(reportsDir);
  if (validReports !== true) throw new VctpError('usage', `--reports-dir ${reportsDir}: ${validReports}`);
  if (metricsTextfileDir !== undefined) {
    const valid = validateDirectory(metricsTextfileDir);
    if (valid !== true) throw new VctpError('usage', `--metrics-textfile-dir ${metricsTextfileDir}: ${valid}`);
  }
  return {
    vcenters,
    ...(flags.vcenterCaFile === undefined ? {} : { vcenterCaFile: flags.vcenterCaFile }),
    ...(flags.vcenterInsecure ? { vcenterInsecure: true } : {}),
    database: { driver, url },
    reportsDir,
    ...(metricsTextfileDir === undefined ? {} : { metricsTextfileDir }),
    auth: authFromFlags(flags, missing),
  };
}

function authFromFlags(flags: InitFlags, missing: (flag: string, why: string) => VctpError): InitAuth {
  if ((flags.auth ?? 'none') === 'none') return { kind: 'none' };
  if (!flags.ldapBindAddress) throw missing('--ldap-bind-address', 'the ldap:// or ldaps:// URL, with --auth ldap');
  const valid = validateLdapUrl(flags.ldapBindAddress);
  if (valid !== true) throw new VctpError('usage', `--ldap-bind-address: ${valid}`);
  if (!flags.ldapBaseDn) throw missing('--ldap-base-dn', 'the DN users are found under, with --auth ldap');
  const groupRoles: Record<string, 'viewer' | 'admin'> = {};
  for (const dn of flags.ldapViewerGroup ?? []) groupRoles[dn] = 'viewer';
  for (const dn of flags.ldapAdminGroup ?? []) groupRoles[dn] = 'admin';
  if (Object.keys(groupRoles).length === 0) throw missing('--ldap-admin-group', 'at least one group DN with a role (or --ldap-viewer-group), with --auth ldap');
  return { kind: 'ldap', bindAddress: flags.ldapBindAddress, baseDn: flags.ldapBaseDn, groupRoles };
}

/** `https://user:pass@host/sdk` -> its decoded user information and the URL without it. */
function userInfoOf(given: string): { url: string; username?: string; password?: string } {
  let parsed: URL;
  try {
    parsed = new URL(given.trim());
  } catch {
    return { url: given };
  }
  if (parsed.username === '' && parsed.password === '') return { url: given };
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, username, password };
}

/** The wizard's prompts on the terminal; the questions go to stderr so stdout stays clean. */
function inquirerPrompter(): Prompter {
  const context = { output: process.stderr };
  return {
    input: (message, options = {}) =>
      input({ message, ...(options.default === undefined ? {} : { default: options.default }), ...(options.validate ? { validate: options.validate } : {}) }, context),
    password: (message) => password({ message, mask: '*' }, context),
    confirm: (message, defaultValue) => confirm({ message, default: defaultValue }, context),
    select: (message, choices) => select({ message, choices: choices.map((c) => ({ name: c.name, value: c.value })) }, context),
  };
}
