// PostgreSQL settings beside vctp's tuning baseline. The baseline is the starting profile the
// original vCTP recommends for hourly ingest plus daily/monthly aggregation on a 20 vCPU / 64 GB
// host; the floor used here is its "shared host" profile (vctp and PostgreSQL on one machine), the
// "dedicated" values shown beside it. Settings that scale with the core count (max_connections,
// parallel workers) are left out: they have no baseline that fits every host. Below the baseline
// is a warning, never a failure: vctp works on defaults, only slower.

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;
const SECOND = 1000;
const MINUTE = 60 * SECOND;

interface Baseline {
  name: string;
  kind: 'bytes' | 'ms' | 'number' | 'on';
  /** Warn when below (at least) or above (at most) `value`. */
  direction: 'min' | 'max';
  value: number;
  /** As the baseline writes it; `dedicated` when that profile differs. */
  shown: string;
  dedicated?: string;
}

export const PG_TUNING_BASELINE: readonly Baseline[] = [
  { name: 'shared_buffers', kind: 'bytes', direction: 'min', value: 12 * GB, shown: '12GB', dedicated: '16GB' },
  { name: 'effective_cache_size', kind: 'bytes', direction: 'min', value: 36 * GB, shown: '36GB', dedicated: '48GB' },
  { name: 'work_mem', kind: 'bytes', direction: 'min', value: 16 * MB, shown: '16MB', dedicated: '32MB' },
  { name: 'maintenance_work_mem', kind: 'bytes', direction: 'min', value: 1 * GB, shown: '1GB', dedicated: '2GB' },
  { name: 'wal_compression', kind: 'on', direction: 'min', value: 1, shown: 'on' },
  { name: 'checkpoint_timeout', kind: 'ms', direction: 'min', value: 15 * MINUTE, shown: '15min' },
  { name: 'checkpoint_completion_target', kind: 'number', direction: 'min', value: 0.9, shown: '0.9' },
  { name: 'max_wal_size', kind: 'bytes', direction: 'min', value: 16 * GB, shown: '16GB' },
  { name: 'min_wal_size', kind: 'bytes', direction: 'min', value: 2 * GB, shown: '2GB' },
  { name: 'random_page_cost', kind: 'number', direction: 'max', value: 1.1, shown: '1.1 (SSD/NVMe)' },
  { name: 'effective_io_concurrency', kind: 'number', direction: 'min', value: 200, shown: '200 (SSD/NVMe)' },
  { name: 'default_statistics_target', kind: 'number', direction: 'min', value: 200, shown: '200' },
  { name: 'autovacuum_max_workers', kind: 'number', direction: 'min', value: 6, shown: '6' },
  { name: 'autovacuum_naptime', kind: 'ms', direction: 'max', value: 30 * SECOND, shown: '30s' },
  { name: 'autovacuum_vacuum_scale_factor', kind: 'number', direction: 'max', value: 0.02, shown: '0.02' },
  { name: 'autovacuum_analyze_scale_factor', kind: 'number', direction: 'max', value: 0.01, shown: '0.01' },
  { name: 'autovacuum_vacuum_cost_limit', kind: 'number', direction: 'min', value: 2000, shown: '2000' },
  { name: 'track_io_timing', kind: 'on', direction: 'min', value: 1, shown: 'on' },
];

/** The pg_settings rows to read: the baseline's, and vacuum_cost_limit (what autovacuum's -1 means). */
export const PG_TUNING_SETTING_NAMES: readonly string[] = [...PG_TUNING_BASELINE.map((b) => b.name), 'vacuum_cost_limit'];

export interface PgSettingRow {
  name: string;
  setting: string;
  unit: string | null;
}

export interface TuningComparison {
  name: string;
  /** The server's value, readable (128 MiB, 5min, 0.5, off), or null when the server lacks the setting. */
  current: string | null;
  recommended: string;
  /** false: below the baseline (above, for the settings where less is more); null: not reported. */
  meets: boolean | null;
}

const UNIT_FACTORS: Record<string, number> = { B: 1, kB: KB, '8kB': 8 * KB, '16kB': 16 * KB, '32kB': 32 * KB, MB, GB, TB: 1024 * GB, ms: 1, s: SECOND, min: MINUTE, h: 60 * MINUTE, d: 24 * 60 * MINUTE };

/** A pg_settings value in bytes, milliseconds or a plain number; on/off as 1/0 (wal_compression's methods count as on). */
export function settingValue(row: PgSettingRow): number | null {
  if (/^(on|off|true|false|pglz|lz4|zstd)$/i.test(row.setting)) return /^(off|false)$/i.test(row.setting) ? 0 : 1;
  const n = Number(row.setting);
  if (!Number.isFinite(n)) return null;
  return row.unit ? n * (UNIT_FACTORS[row.unit] ?? Number.NaN) : n;
}

function readable(kind: Baseline['kind'], value: number, raw: string): string {
  if (kind === 'on') return raw;
  if (kind === 'bytes') {
    for (const [size, unit] of [[GB, 'GB'], [MB, 'MB'], [KB, 'kB']] as const) if (value >= size) return `${+(value / size).toFixed(1)}${unit}`;
    return `${value}B`;
  }
  if (kind === 'ms') {
    for (const [size, unit] of [[MINUTE, 'min'], [SECOND, 's']] as const) if (value >= size && value % size === 0) return `${value / size}${unit}`;
    return `${value}ms`;
  }
  return String(value);
}

export function compareTuning(rows: readonly PgSettingRow[]): TuningComparison[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  return PG_TUNING_BASELINE.map((b) => {
    const recommended = b.dedicated ? `${b.shown}, ${b.dedicated} on a dedicated host` : b.shown;
    const row = byName.get(b.name);
    let value = row ? settingValue(row) : null;
    // -1: autovacuum uses vacuum_cost_limit.
    if (b.name === 'autovacuum_vacuum_cost_limit' && value === -1) {
      const fallback = byName.get('vacuum_cost_limit');
      value = fallback ? settingValue(fallback) : null;
    }
    if (!row || value === null || Number.isNaN(value)) return { name: b.name, current: row?.setting ?? null, recommended, meets: null };
    const meets = b.direction === 'min' ? value >= b.value : value <= b.value;
    return { name: b.name, current: readable(b.kind, value, row.setting), recommended, meets };
  });
}
