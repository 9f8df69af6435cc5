// The questions of `vctp init`, in order: vCenter TLS trust, the vCenters (address, then
// credentials, "same as the previous one?"), the database, the reports directory, authentication,
// the metrics textfile directory. Each vCenter login and the database connection is tried as soon
// as it is answered; a failure names what failed and offers to re-enter, retry or keep it anyway.
// Prompts and checks are injected, so the flow runs in tests without a terminal.
import type { InitAnswers, InitAuth, InitVcenter } from '../../app/init-settings.js';
import { duplicateVcenterAddresses } from '../../core/vcenter-address.js';
import type { CheckOutcome } from '../../jobs/init-checks.js';
import { normaliseVcenterUrl, validateDirectory, validateLdapUrl, validatePostgresUrl } from './init-values.js';

export interface Choice<T> {
  name: string;
  value: T;
}

/** The prompts the wizard uses (@inquirer/prompts in the CLI). A validate returns true or the problem. */
export interface Prompter {
  input(message: string, options?: { default?: string; validate?: (value: string) => true | string }): Promise<string>;
  password(message: string): Promise<string>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  select<T>(message: string, choices: readonly Choice<T>[]): Promise<T>;
}

export interface WizardChecks {
  vcenter(login: { url: string; username: string; password: string; insecure: boolean; caFile: string | null }): Promise<CheckOutcome>;
  database(database: InitAnswers['database']): Promise<CheckOutcome>;
}

export interface WizardIo {
  prompt: Prompter;
  checks: WizardChecks;
  /** One line to the operator (stderr in the CLI). */
  say(line: string): void;
  /** --skip-checks: no login or connection is tried. */
  skipChecks: boolean;
}

export const DEFAULT_SQLITE_PATH = '/var/lib/vctp/db.sqlite3';
export const DEFAULT_REPORTS_DIR = '/var/lib/vctp/reports';

type OnFailure = 'credentials' | 'address' | 'retry' | 'keep';

export async function runInitWizard(io: WizardIo): Promise<InitAnswers> {
  const tls = await askTls(io);
  const vcenters = await askVcenters(io, tls);
  const database = await askDatabase(io);
  const reportsDir = await io.prompt.input('Directory for the reports (workbooks)', { default: DEFAULT_REPORTS_DIR, validate: validateDirectory });
  const auth = await askAuth(io);
  const metrics = await io.prompt.input("node_exporter textfile directory for vctp's metrics (empty: no metrics files)", {
    default: '',
    validate: (v) => (v.trim() === '' ? true : validateDirectory(v)),
  });
  // Every vCenter logs in with the same account: the spec's form (vcenter_addresses + one
  // username/password). Otherwise each gets its own entry under vcenters.
  const one = vcenters.every((v) => v.username === vcenters[0]!.username && v.password === vcenters[0]!.password);
  return {
    vcenters: vcenters.map((v) => ({ ...v, shared: one })),
    ...(tls.caFile === null ? {} : { vcenterCaFile: tls.caFile }),
    ...(tls.insecure ? { vcenterInsecure: true } : {}),
    database,
    reportsDir: reportsDir.trim(),
    ...(metrics.trim() === '' ? {} : { metricsTextfileDir: metrics.trim() }),
    auth,
  };
}

interface Tls {
  insecure: boolean;
  caFile: string | null;
}

async function askTls(io: WizardIo): Promise<Tls> {
  const how = await io.prompt.select('How should vctp trust the vCenters\' TLS certificates?', [
    { name: 'the public CAs (a certificate from a public CA)', value: 'public' as const },
    { name: 'a CA bundle file (PEM), e.g. the VMCA root of your vCenters', value: 'file' as const },
    { name: 'do not verify them (testing only)', value: 'insecure' as const },
  ]);
  if (how === 'public') return { insecure: false, caFile: null };
  if (how === 'insecure') return { insecure: true, caFile: null };
  const caFile = await io.prompt.input('CA bundle file (PEM)', { validate: (v) => (v.trim() === '' ? 'a file path is needed' : true) });
  return { insecure: false, caFile: caFile.trim() };
}

async function askVcenters(io: WizardIo, tls: Tls): Promise<Omit<InitVcenter, 'shared'>[]> {
  const vcenters: Omit<InitVcenter, 'shared'>[] = [];
  for (;;) {
    // The same vCenter in another spelling (vc1 and vc1:443) counts too: the settings would refuse it.
    const taken = (url: string) => duplicateVcenterAddresses([...vcenters.map((v) => v.url), url]).length > 0;
    let url = await askAddress(io, vcenters.length, taken);
    const previous = vcenters.at(-1);
    let credentials =
      previous && (await io.prompt.confirm(`Same credentials as the previous vCenter (${previous.username})?`, true))
        ? { username: previous.username, password: previous.password }
        : await askCredentials(io, url);
    for (;;) {
      if (io.skipChecks) break;
      io.say(`trying to log in to ${url} as ${credentials.username} ...`);
      const outcome = await io.checks.vcenter({ url, ...credentials, insecure: tls.insecure, caFile: tls.caFile });
      if (outcome.ok) {
        io.say(`  ${outcome.detail}`);
        break;
      }
      io.say(`  vCenter ${url}: login failed: ${outcome.error}`);
      const next = await io.prompt.select<OnFailure>('What now?', [
        { name: 'enter the username and password again', value: 'credentials' },
        { name: 'enter another address', value: 'address' },
        { name: 'try again as is', value: 'retry' },
        { name: 'keep it anyway (check later with vctp doctor)', value: 'keep' },
      ]);
      if (next === 'keep') break;
      if (next === 'credentials') credentials = await askCredentials(io, url);
      if (next === 'address') url = await askAddress(io, vcenters.length, taken);
    }
    vcenters.push({ url, ...credentials });
    if (!(await io.prompt.confirm('Add another vCenter?', false))) return vcenters;
  }
}

async function askAddress(io: WizardIo, index: number, taken: (url: string) => boolean): Promise<string> {
  const answer = await io.prompt.input(index === 0 ? 'vCenter address (host name, or its SDK URL https://host/sdk)' : 'Next vCenter address', {
    validate: (v) => {
      const url = normaliseVcenterUrl(v);
      if (typeof url !== 'string') return url.error;
      return taken(url) ? `${url} is already listed` : true;
    },
  });
  return normaliseVcenterUrl(answer) as string;
}

async function askCredentials(io: WizardIo, url: string): Promise<{ username: string; password: string }> {
  const username = await io.prompt.input(`Username for ${url} (read-only is enough)`, { validate: (v) => (v.trim() === '' ? 'a username is needed' : true) });
  for (;;) {
    const password = await io.prompt.password(`Password for ${username.trim()}`);
    if ([...password].length > 2) return { username: username.trim(), password };
    io.say('  the password must be longer than 2 characters (the settings file refuses shorter ones)');
  }
}

async function askDatabase(io: WizardIo): Promise<InitAnswers['database']> {
  const driver = await io.prompt.select('Database', [
    { name: 'SQLite (one file on this host; move to PostgreSQL later with vctp import-sqlite)', value: 'sqlite' as const },
    { name: 'PostgreSQL (several collectors may share it)', value: 'postgres' as const },
  ]);
  let url = await askDatabaseUrl(io, driver);
  for (;;) {
    if (io.skipChecks) return { driver, url };
    io.say(`trying the database ${driver === 'sqlite' ? url : redactUrl(url)} ...`);
    const outcome = await io.checks.database({ driver, url });
    if (outcome.ok) {
      io.say(`  ${outcome.detail}`);
      return { driver, url };
    }
    io.say(`  database: ${outcome.error}`);
    const next = await io.prompt.select<'change' | 'retry' | 'keep'>('What now?', [
      { name: driver === 'sqlite' ? 'enter another path' : 'enter another URL', value: 'change' },
      { name: 'try again as is', value: 'retry' },
      { name: 'keep it anyway (check later with vctp doctor)', value: 'keep' },
    ]);
    if (next === 'keep') return { driver, url };
    if (next === 'change') url = await askDatabaseUrl(io, driver);
  }
}

async function askDatabaseUrl(io: WizardIo, driver: 'sqlite' | 'postgres'): Promise<string> {
  if (driver === 'sqlite') {
    return (await io.prompt.input('SQLite database file', { default: DEFAULT_SQLITE_PATH, validate: validateDirectory })).trim();
  }
  return (await io.prompt.input('PostgreSQL URL (postgres://user:password@host:5432/vctp)', { validate: validatePostgresUrl })).trim();
}

async function askAuth(io: WizardIo): Promise<InitAuth> {
  const kind = await io.prompt.select('Sign-in to the web UI and API (vctp serve)', [
    { name: 'none: every request is served without a login', value: 'none' as const },
    { name: 'LDAP: users sign in with their directory account; roles from their groups', value: 'ldap' as const },
  ]);
  if (kind === 'none') return { kind };
  const bindAddress = (await io.prompt.input('LDAP server URL (ldaps://dc.example.com)', { validate: validateLdapUrl })).trim();
  const baseDn = (await io.prompt.input('Base DN users are found under (DC=example,DC=com)', { validate: nonEmpty('a base DN') })).trim();
  const admin = (await io.prompt.input('DN of the group whose members are admins', { validate: nonEmpty('a group DN') })).trim();
  const viewer = (await io.prompt.input('DN of the group whose members are viewers (empty: none)', { default: '' })).trim();
  return { kind, bindAddress, baseDn, groupRoles: { [admin]: 'admin', ...(viewer === '' || viewer === admin ? {} : { [viewer]: 'viewer' }) } };
}

const nonEmpty = (what: string) => (v: string) => (v.trim() === '' ? `${what} is needed` : true);

/** The URL without its password, for the lines the wizard prints. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}
