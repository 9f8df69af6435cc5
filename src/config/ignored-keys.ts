// Settings keys vctp accepts (a vctp.yml written for the original system loads unchanged, and each
// value is still validated) but does not act on. Setting one changes nothing, so an operator who
// sets one should be told, with the reason: the loader warns about the values that differ from the
// default, and `vctp doctor` lists every one present in the file.
//
// A key leaves this list the day some module reads it (test/unit/doctor-rules.test.ts checks that
// no module outside src/config names a key listed here).
import type { LoadedSettings } from './settings-types.js';

/** Key -> why vctp ignores it. */
export const IGNORED_KEY_REASONS: Readonly<Record<string, string>> = {
  enable_experimental_postgres: 'PostgreSQL is supported without an opt-in',
  vcenter_inventory_aggregate_seconds:
    'daily aggregation runs once per UTC day from vctp-aggregate-daily.timer; the timer, not a cadence setting, decides when',
  snapshot_cleanup_cron: 'systemd timers schedule every job; vctp-db-cleanup.timer runs `vctp db cleanup`',
  capture_write_batch_size:
    'a capture writes each vCenter in one transaction through one bulk path (COPY on PostgreSQL), not in batches',
  snapshot_table_compat_mode:
    'vctp writes no per-hour snapshot tables of the original system; vm_hourly_stats yields the hourly rows',
};

export interface IgnoredKey {
  key: string;
  reason: string;
  /** The file sets the key to its default value (e.g. copied from vctp.yml.example). */
  atDefault: boolean;
}

/**
 * The ignored keys among `present` (the keys the file sets to a value), in file order. `isDefault`
 * says whether a key's value equals its default.
 */
export function findIgnoredKeys(present: Iterable<string>, isDefault: (key: string) => boolean): IgnoredKey[] {
  const found: IgnoredKey[] = [];
  for (const key of present) {
    // hasOwn first: a key such as `toString` must not find Object.prototype's.
    if (Object.hasOwn(IGNORED_KEY_REASONS, key)) found.push({ key, reason: IGNORED_KEY_REASONS[key]!, atDefault: isDefault(key) });
  }
  return found;
}

/**
 * The loader's warnings: one per reason, naming the keys set to something other than their default.
 * A key left at its default changes nothing either way, and vctp.yml.example writes every key at
 * its default: warning about those on every run would bury the warnings that matter.
 */
export function ignoredKeyWarnings(keys: readonly IgnoredKey[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const k of keys) {
    if (k.atDefault) continue;
    byReason.set(k.reason, [...(byReason.get(k.reason) ?? []), `settings.${k.key}`]);
  }
  return [...byReason].map(([reason, names]) => `${names.join(', ')}: accepted and ignored: ${reason}`);
}

// LoadedSettings (settings-types.ts) has no field for these; until it gets one, the parser records
// them here, keyed by the object it returns, and `vctp doctor` asks for them.
const recorded = new WeakMap<LoadedSettings, readonly IgnoredKey[]>();

export function recordIgnoredKeys(loaded: LoadedSettings, keys: readonly IgnoredKey[]): void {
  recorded.set(loaded, keys);
}

/** The ignored keys present in the file `loaded` came from (empty for settings not parsed from a file). */
export function ignoredKeysOf(loaded: LoadedSettings): readonly IgnoredKey[] {
  return recorded.get(loaded) ?? [];
}
