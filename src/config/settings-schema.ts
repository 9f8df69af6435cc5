// One zod schema per settings key, with the spec's defaults. Keys are validated one by one (see
// parse-settings.ts) so that every problem in the file is reported, not just the first.
// Cross-key rules (postgres needs a postgres DSN, auth needs role mappings, ...) live in
// settings-rules.ts; the final Settings object is assembled there too.
import { z } from 'zod';
import { DEFAULT_TIER_PATTERNS, TIERS, type Tier } from '../core/tiers.js';
import { globToRegExp } from '../core/glob.js';
import {
  bool,
  hasScheme,
  int,
  isBase64,
  isHttpUrl,
  isIpAddress,
  list,
  mapping,
  nonEmptyStr,
  oneOf,
  record,
  stringList,
  strWhere,
} from './schema-helpers.js';
import { costSettingsFields } from './cost-settings-schema.js';
import { isTooShortPlaintext, TOO_SHORT_PLAINTEXT } from './password-rule.js';
import { PIVOT_METRICS } from './settings-types.js';
import { YamlScalar } from './yaml-values.js';

export const DEFAULT_DATABASE_URL = '/var/lib/vctp/db.sqlite3';

/** Keys the original system read and then retired: accepted, warned about, ignored. */
export const DEPRECATED_KEYS = ['vcenter_event_polling_seconds', 'vcenter_inventory_polling_seconds'] as const;

// Excel: columns A..XFD, rows 1..1048576; sheet names are quoted when they hold spaces.
const CELL = String.raw`\$?[A-Za-z]{1,3}\$?[1-9][0-9]{0,6}`;
const SHEET = String.raw`(?:'(?:[^']|'')+'|[^\s!'\[\]*?/\\:]+)!`;
const PIVOT_RANGE = new RegExp(`^(?:${SHEET})?(${CELL}):(${CELL})$`);
const CELL_REF = new RegExp(`^(?:${SHEET})?${CELL}$`);

export function isPivotRange(value: string): boolean {
  const match = PIVOT_RANGE.exec(value);
  if (!match) return false;
  const [from, to] = [cellPosition(match[1]!), cellPosition(match[2]!)];
  return from.col <= to.col && from.row <= to.row && to.col <= 16384 && to.row <= 1048576;
}

function cellPosition(cell: string): { col: number; row: number } {
  const [, letters = '', digits = '0'] = /^\$?([A-Za-z]+)\$?(\d+)$/.exec(cell) ?? [];
  const col = [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
  return { col, row: Number(digits) };
}

// A cron expression in the forms robfig/cron (the original system's scheduler) accepts:
// five fields, six with seconds, or a descriptor such as @daily / @every 6h.
function isCron(value: string): boolean {
  const v = value.trim();
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/i.test(v)) return true;
  if (/^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/i.test(v)) return true;
  const fields = v.split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((f) => /^[0-9A-Za-z*/,?#-]+$/.test(f));
}

function isGlob(value: string): boolean {
  try {
    globToRegExp(value);
    return value.length > 0;
  } catch {
    return false;
  }
}

// Name patterns take an unquoted number as written: clusters, pools and VMs may be named 2024.
const globList = () =>
  list(
    strWhere('expected a glob pattern (a non-empty string; * ? and [abc] are wildcards)', isGlob, 'as-written'),
    'expected a list of patterns',
  );

const optionalText = () => nonEmptyStr().optional();
// Paths: an unquoted number or boolean is refused (schema-helpers.ts ScalarPolicy), not taken as the directory "42".
const filePath = () => nonEmptyStr('expected a file path');
const directoryPath = () => nonEmptyStr('expected a directory path');
// Credentials are opaque: a password or user name may be all digits, and is kept exactly as written.
const credential = () => nonEmptyStr(undefined, 'as-written');

// settings.vcenter_password as written (enc:v1:, legacy ciphertext or plaintext); password-rule.ts.
const vcenterPassword = credential().refine((v) => !isTooShortPlaintext(v), { error: `is too short: ${TOO_SHORT_PLAINTEXT}` });

const vcenterUrl = () => strWhere('expected an http:// or https:// URL such as https://vc.example.com/sdk', isHttpUrl);

// Every field is required: an entry that borrowed the shared vcenter_username/password would be
// a vcenter_addresses entry written the long way, and two ways of saying one thing hide mistakes.
export const vcenterEntrySchema = z.object({
  url: vcenterUrl(),
  username: credential(),
  password: vcenterPassword,
});

const vcenterEntry = mapping(vcenterEntrySchema.shape, 'expected a mapping with url, username, password');

export const pivotEntrySchema = z.object({
  metric: oneOf(PIVOT_METRICS),
  title: nonEmptyStr().optional(),
  pivot_name: strWhere('expected a pivot table name (1-255 characters)', (v) => v.length <= 255).optional(),
  pivot_range: strWhere('expected a range like Summary!A3:H40 or A3:H40', isPivotRange).optional(),
  title_cell: strWhere('expected a cell like Summary!A1 or A1', (v) => CELL_REF.test(v)).optional(),
});

const pivotEntry = mapping(pivotEntrySchema.shape, 'expected a mapping with metric, title, pivot_name, pivot_range, title_cell');

const tierError = (issue: { code: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys'
    ? `unknown tier ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}; tiers are ${TIERS.join(', ')}`
    : 'expected a mapping of tier to patterns';

// A tier left out keeps its default; an unknown tier is an error, since a typo there would bill
// every VM of that pool as untiered.
const tierPatterns = z
  .preprocess(
    (v) => (v instanceof YamlScalar ? v.value : v),
    z.strictObject(
      { tin: globList().optional(), bronze: globList().optional(), silver: globList().optional(), gold: globList().optional() },
      { error: tierError },
    ),
  )
  .transform((given) => {
    const patterns = defaultTierPatterns();
    for (const tier of TIERS) patterns[tier] = given[tier] ?? patterns[tier];
    return patterns;
  });

function defaultTierPatterns(): Record<Tier, string[]> {
  return Object.fromEntries(TIERS.map((tier) => [tier, [...DEFAULT_TIER_PATTERNS[tier]]])) as Record<Tier, string[]>;
}

export const settingsFields = {
  // General
  log_level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { warning: 'warn' }).default('info'),
  log_output: oneOf(['text', 'json']).default('text'),

  // Database (database_url's default depends on the driver: settings-rules.ts)
  database_driver: oneOf(['sqlite', 'postgres'], { sqlite3: 'sqlite', postgresql: 'postgres', pgx: 'postgres' }).default('sqlite'),
  enable_experimental_postgres: bool().default(false),
  database_url: nonEmptyStr('expected a SQLite file path or a postgres:// URL').optional(),
  postgres_vm_hourly_partitioning_enabled: bool().default(false),

  // HTTP/TLS
  bind_ip: strWhere('expected an IP address such as 0.0.0.0 or ::', isIpAddress).default('0.0.0.0'),
  bind_port: int(1, 65535).default(9443),
  bind_disable_tls: bool().default(false),
  tls_cert_filename: filePath().default('/etc/dtms/vctp.crt'),
  tls_key_filename: filePath().default('/etc/dtms/vctp.key'),

  // Authentication
  auth_enabled: bool().default(false),
  auth_mode: oneOf(['disabled', 'optional', 'required']).default('disabled'),
  auth_jwt_signing_key: strWhere('expected a base64 key', isBase64, 'as-written').optional(),
  auth_token_lifespan_minutes: int(1).default(60),
  auth_jwt_issuer: nonEmptyStr().default('vctp'),
  auth_jwt_audience: nonEmptyStr().default('vctp'),
  auth_clock_skew_seconds: int(0).default(60),
  auth_group_role_mappings: record(
    oneOf(['viewer', 'admin']),
    'expected a mapping of LDAP group DN to viewer or admin',
  ).default(() => ({})),
  ldap_groups: stringList().default(() => []),
  ldap_bind_address: strWhere('expected an ldap:// or ldaps:// URL', (v) => hasScheme(v, ['ldap:', 'ldaps:'])).optional(),
  ldap_base_dn: optionalText(),
  ldap_user_base_dn: optionalText(),
  ldap_trust_cert_file: filePath().optional(),
  ldap_disable_validation: bool().default(false),
  ldap_insecure: bool().default(false),
  enable_pprof: bool().default(false),

  // vCenter
  encryption_key: credential().optional(),
  vcenter_username: credential().optional(),
  vcenter_password: vcenterPassword.optional(),
  vcenter_insecure: bool().default(false),
  // Also read at load (setting-files.ts): a PEM bundle with at least one certificate.
  vcenter_ca_file: filePath().optional(),
  vcenter_request_timeout_seconds: int(1, 3600).default(60),
  enable_legacy_api: bool().default(false),
  vcenter_inventory_snapshot_seconds: int(1).default(3600),
  vcenter_inventory_aggregate_seconds: int(1).default(86400),
  vcenter_addresses: list(vcenterUrl(), 'expected a list of vCenter URLs').default(() => []),
  // vctp addition: one credential per vCenter (src/core/vcenter-logins.ts says how it combines with the above).
  vcenters: list(vcenterEntry, 'expected a list of vCenters, each a mapping with url, username, password').default(() => []),

  // Snapshots
  hourly_snapshot_concurrency: int(0).default(0),
  hourly_snapshot_max_age_days: int(1).default(60),
  daily_snapshot_max_age_months: int(1).default(12),
  hourly_index_max_age_days: int(-1).default(7),
  snapshot_cleanup_cron: strWhere(
    'expected a cron expression (5 or 6 fields, or @daily, @every 6h, ...)',
    isCron,
  ).default('30 2 * * *'),
  reports_dir: directoryPath().default('/var/lib/vctp/reports'),
  capture_write_batch_size: int(1).default(1000),
  snapshot_table_compat_mode: bool().default(true),
  async_report_generation: bool().default(true),
  report_summary_pivots: list(pivotEntry, 'expected a list of pivot overrides').default(() => []),
  hourly_snapshot_retry_seconds: int(1).default(300),
  hourly_snapshot_max_retries: int(0).default(3),
  scheduled_aggregation_engine: oneOf(['app', 'sql'], { go: 'app' }).default('app'),
  monthly_aggregation_source: oneOf(['daily', 'hourly']).default('daily'),
  lock_wait_seconds: int(0).default(30),

  // Metrics: each job writes vctp_<job>.prom here for node_exporter's textfile collector; unset = off
  metrics_textfile_dir: directoryPath().optional(),

  // Filters/chargeback
  tenants_to_filter: globList().default(() => []),
  node_charge_clusters: globList().default(() => []),
  srm_activeactive_vms: globList().default(() => []),
  tier_patterns: tierPatterns.default(defaultTierPatterns),

  // Cost: rate cards, cost dimensions, the reports' Cost sheets (cost-settings-schema.ts)
  ...costSettingsFields,
} satisfies Record<string, z.ZodType>;

export type SettingsFields = { [K in keyof typeof settingsFields]: z.output<(typeof settingsFields)[K]> };

/** Whether a problem at this path under settings.<key> is about a secret (only the password of a vcenters entry is). */
export function isSecretPath(key: string, path: readonly PropertyKey[]): boolean {
  return SECRET_KEYS.has(key) || (key === 'vcenters' && path[1] === 'password');
}

/** Keys whose values must never appear in a problem message: they hold or may embed credentials. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['vcenter_password', 'encryption_key', 'auth_jwt_signing_key', 'database_url']);
