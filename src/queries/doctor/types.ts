// What `vctp doctor` is given. The settings arrive as plain values (queries do not read the settings
// file; src/app/doctor-runtime.ts does), narrowed to the keys the checks look at.
import type { Logger } from '../../log/logger.js';

export interface DoctorSettings {
  database_driver: 'sqlite' | 'postgres';
  database_url: string;
  vcenter_addresses: readonly string[];
  vcenters?: readonly { url: string }[];
  vcenter_insecure: boolean;
  vcenter_ca_file?: string;
  vcenter_inventory_snapshot_seconds: number;
  monthly_aggregation_source: 'daily' | 'hourly';
  reports_dir: string;
  metrics_textfile_dir?: string;
  hourly_snapshot_max_age_days: number;
  daily_snapshot_max_age_months: number;
  postgres_vm_hourly_partitioning_enabled?: boolean;
}

/** One vCenter's login as the settings give it (src/config/credentials.ts readVcenterLogins). */
export interface DoctorLogin {
  url: string;
  /** Unset: why, naming the key. */
  username: string | { error: string };
  /** The decrypted password, the key that holds it and how the file holds it; or why it cannot be had. */
  password: { password: string; key: string; form: string } | { error: string };
}

export interface SettingsFileFacts {
  path: string;
  /** Why the file did not load, or null. */
  error: string | null;
  /** The loader's warnings (unknown or deprecated keys, ...), other than those about ignored keys. */
  warnings: readonly string[];
  /** Keys the file sets that vctp accepts but does not act on. */
  ignoredKeys: readonly { key: string; reason: string; atDefault: boolean }[];
}

/** Runs `systemctl show` for the units; null when systemd is not running here. Tests replace it. */
export type SystemctlShow = (units: readonly string[], timeoutMs: number) => Promise<string | null>;

export interface DoctorInput {
  settingsFile: SettingsFileFacts;
  /** null when the settings did not load. */
  settings: DoctorSettings | null;
  /** Every configured vCenter with its username and decrypted password, or why each cannot be had. */
  vcenterLogins: () => readonly DoctorLogin[];
  log: Logger;
  /** Unix milliseconds. */
  now: () => number;
  /** Bound of each probe: one vCenter, the database, systemctl. */
  timeoutMs: number;
  systemctlShow?: SystemctlShow;
}

/** Rejects with a timeout error once `ms` have passed; the work itself is left to finish (and clean up) on its own. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
