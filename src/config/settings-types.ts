// The validated, fully defaulted settings: the contract every other module reads. Key names are the
// YAML keys of the spec's Settings Reference, unchanged, so `settings.bind_port` in the docs is
// `settings.bind_port` in code. Optional (`?`) keys are absent when unset or empty in the file.
import type { RateCardSetting } from '../core/rate-cards.js';
import type { TierPatterns } from '../core/tiers.js';
import type { LogLevel, LogOutput } from '../log/logger.js';

export const PIVOT_METRICS = ['avg_vcpu', 'avg_ram', 'prorated_vm_count', 'vm_name_count'] as const;
export type PivotMetric = (typeof PIVOT_METRICS)[number];

/** One override of a Summary-sheet pivot; fields left out keep the report's built-in value. */
export interface ReportSummaryPivot {
  metric: PivotMetric;
  title?: string;
  pivot_name?: string;
  /** `Summary!A3:H40` or `A3:H40`. */
  pivot_range?: string;
  /** When absent, the report derives it from pivot_range. */
  title_cell?: string;
}

/** One entry of settings.vcenters; the password as written in the file (resolveVcenterLogins decrypts it). */
export interface VcenterSetting {
  url: string;
  username: string;
  password: string;
}

export type AuthRole = 'viewer' | 'admin';

export interface Settings {
  // General
  log_level: LogLevel; // info
  log_output: LogOutput; // text

  // Database
  database_driver: 'sqlite' | 'postgres'; // sqlite
  /** Accepted for compatibility and ignored: PostgreSQL needs no opt-in here. */
  enable_experimental_postgres: boolean; // false
  /** SQLite file path/DSN, or postgres:// / postgresql:// DSN (required for postgres). */
  database_url: string; // /var/lib/vctp/db.sqlite3 for sqlite
  postgres_vm_hourly_partitioning_enabled: boolean; // false

  // HTTP/TLS (`vctp serve`)
  bind_ip: string; // 0.0.0.0
  bind_port: number; // 9443
  bind_disable_tls: boolean; // false
  tls_cert_filename: string; // /etc/dtms/vctp.crt
  tls_key_filename: string; // /etc/dtms/vctp.key

  // Authentication
  auth_enabled: boolean; // false
  auth_mode: 'disabled' | 'optional' | 'required'; // disabled
  auth_jwt_signing_key?: string; // base64; required when auth_enabled
  auth_token_lifespan_minutes: number; // 60
  auth_jwt_issuer: string; // vctp
  auth_jwt_audience: string; // vctp
  auth_clock_skew_seconds: number; // 60
  /** LDAP group DN -> role; non-empty when auth_enabled. */
  auth_group_role_mappings: Record<string, AuthRole>; // {}
  ldap_groups: string[]; // [] (no allowlist)
  ldap_bind_address?: string; // ldap:// or ldaps://; required when auth_enabled
  ldap_base_dn?: string;
  /** Defaults to ldap_base_dn. */
  ldap_user_base_dn?: string;
  ldap_trust_cert_file?: string;
  ldap_disable_validation: boolean; // false
  ldap_insecure: boolean; // false
  enable_pprof: boolean; // false

  // vCenter
  encryption_key?: string;
  vcenter_username?: string;
  /** As written in the file: `enc:v1:...`, legacy ciphertext or plaintext. Use resolveVcenterPassword(). */
  vcenter_password?: string;
  vcenter_insecure: boolean; // false
  /** vctp addition: PEM CA bundle trusted for vCenter TLS. */
  vcenter_ca_file?: string;
  /** vctp addition: how long one vCenter call may take (connect, request, the whole answer), in seconds. */
  vcenter_request_timeout_seconds: number; // 60
  enable_legacy_api: boolean; // false
  vcenter_inventory_snapshot_seconds: number; // 3600
  vcenter_inventory_aggregate_seconds: number; // 86400
  vcenter_addresses: string[]; // []
  /** vctp addition: vCenters with their own credentials; src/core/vcenter-logins.ts combines them with vcenter_addresses. */
  vcenters: VcenterSetting[]; // []

  // Snapshots
  hourly_snapshot_concurrency: number; // 0 = unlimited
  hourly_snapshot_max_age_days: number; // 60
  daily_snapshot_max_age_months: number; // 12
  hourly_index_max_age_days: number; // 7; -1 disables cleanup, 0 trims all
  snapshot_cleanup_cron: string; // '30 2 * * *'
  reports_dir: string; // /var/lib/vctp/reports
  capture_write_batch_size: number; // 1000
  snapshot_table_compat_mode: boolean; // true
  async_report_generation: boolean; // true
  report_summary_pivots: ReportSummaryPivot[]; // []
  hourly_snapshot_retry_seconds: number; // 300
  hourly_snapshot_max_retries: number; // 3
  /** `go` in the file means `app`, our in-process engine. */
  scheduled_aggregation_engine: 'app' | 'sql'; // app
  /** vctp addition. */
  monthly_aggregation_source: 'daily' | 'hourly'; // daily
  /** vctp addition: how long a job waits for another run's lock before giving up. */
  lock_wait_seconds: number; // 30
  /** vctp addition: node_exporter textfile directory; each job writes vctp_<job>.prom there. Unset: off. */
  metrics_textfile_dir?: string;

  // Filters/chargeback (case-insensitive globs, see src/core/glob.ts)
  tenants_to_filter: string[]; // []
  node_charge_clusters: string[]; // []
  srm_activeactive_vms: string[]; // []
  /** vctp addition: resource-pool name patterns per tier; unlisted tiers keep their default. */
  tier_patterns: TierPatterns; // each tier's own name, e.g. tin: [Tin]

  // Cost (vctp addition; README "Cost")
  /** Ordered by valid_from, one currency; none = no cost. */
  rate_cards: RateCardSetting[]; // []
  cost_dimensions: CostDimensionSetting[]; // []
  /** Dimensions (configured or built-in) that get a Cost sheet in the reports. */
  report_cost_dimensions: string[]; // []
}

export interface CostDimensionSetting {
  name: string;
  /** custom_attribute:<name>, tag:<category> or folder_level: N. */
  from: string;
  default: string;
}

export interface LoadedSettings {
  /** The settings file the values came from; credential migration rewrites it. */
  path: string;
  settings: Settings;
  /** Unknown and deprecated keys, and other things worth telling the operator; never fatal. */
  warnings: string[];
}
