// SQLite keeps canonical lowercase UUIDs as 16-byte blobs instead of 36-character text: the two
// UUIDs of a VM are most of an identity row, and this keeps hourly history under 5 bytes per
// VM-hour (README "Measured"). Anything else (upper case, braces, free text) stays text, so the
// round trip is exact. vm_hourly_stats turns the blobs back into text; PostgreSQL stores text.
import type { Dialect } from './executor.js';

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeUuid(dialect: Dialect, value: string | null): string | Buffer | null {
  if (dialect !== 'sqlite' || value === null || !CANONICAL.test(value)) return value;
  return Buffer.from(value.replace(/-/g, ''), 'hex');
}

export function decodeUuid(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (!Buffer.isBuffer(value)) return String(value);
  const hex = value.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
