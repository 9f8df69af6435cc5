// The JSON shape of every result vctp prints with --json (and, later, serves over HTTP): one
// serializer, so that the CLI and the API cannot drift apart, applied to query and job results as
// they are. Three rules:
//
// - Times stay unix seconds and gain an ISO 8601 UTC sibling named `<field>Iso`, to the second:
//   `snapshotTime: 1776776400, snapshotTimeIso: "2026-04-21T13:00:00Z"`. The fields are those
//   named in TIME_FIELDS below (from and to only where they are numbers: elsewhere they are days).
// - Unknown is null, never 0: a time of 0 (vCenter gave no creation time; the VM was not deleted)
//   becomes null, and so does its Iso sibling. No vctp time is ever 1970-01-01.
// - Tiers are spelled as in the tables and workbooks: Tin, Bronze, Silver, Gold, and "No tier".
import { GROUP_LABELS } from '../core/report-totals.js';
import { isRepresentableTime } from '../core/time-bounds.js';
import { TIERS, type Tier } from '../core/tiers.js';

/** Fields that hold a unix-seconds time wherever they appear in a result. */
export const TIME_FIELDS: ReadonlySet<string> = new Set([
  'snapshotTime',
  'latestSnapshot',
  'latest',
  'time',
  'since',
  'startedAt',
  'finishedAt',
  'creationTime',
  'deletionTime',
  'firstSeen',
  'lastSeen',
  'keptFrom',
  // Closed months (vctp month): when a month was closed, reopened.
  'closedAt',
  'reopenedAt',
  'hourlyCut',
  'dailyCut',
  'dataTime',
  'previousSnapshot',
  'nextSnapshot',
  // The read API's: when a snapshot was registered, when a report file was last written.
  'registeredAt',
  'modifiedAt',
  'from',
  'to',
]);

/** Time fields whose name is also used for something else (YYYY-MM-DD days in repair and status). */
const NUMBER_ONLY_TIME_FIELDS: ReadonlySet<string> = new Set(['from', 'to']);

/** Fields that hold a tier (`tin` ... `gold`, null for none). */
const TIER_FIELDS: ReadonlySet<string> = new Set(['tier']);

/** The suffix of a time's ISO 8601 sibling. */
export const ISO_SUFFIX = 'Iso';

/** 2026-04-21T13:00:00Z. */
export function isoTime(unix: number): string | null {
  // A stored time no date can hold (a mistaken --at before vctp refused them) has no ISO form.
  if (!isRepresentableTime(unix)) return null;
  let iso = ISO_CACHE.get(unix);
  if (iso === undefined) {
    // toISOString() always ends in .sssZ: drop the milliseconds (cheaper than a regex).
    const text = new Date(unix * 1000).toISOString();
    iso = `${text.slice(0, -5)}Z`;
    if (ISO_CACHE.size >= ISO_CACHE_LIMIT) ISO_CACHE.clear();
    ISO_CACHE.set(unix, iso);
  }
  return iso;
}

/**
 * The ISO forms last made: an answer repeats the same few times (45 days of 8 vCenters' totals
 * are 45 times in 360 rows), and a Date plus toISOString() costs ~0.5 µs where a lookup costs a
 * tenth of that. Bounded (emptied when full) so that a long-running server keeps no history.
 */
const ISO_CACHE = new Map<number, string>();
const ISO_CACHE_LIMIT = 4096;

/** Tin, Bronze, Silver, Gold, or "No tier". */
export function tierName(tier: Tier | null | undefined): string {
  return tier ? GROUP_LABELS[tier] : GROUP_LABELS.untiered;
}

function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && (TIERS as readonly string[]).includes(value);
}

/**
 * What a field name asks of its value, looked up once per field (one Map lookup instead of three
 * Set lookups and a string concatenation): a time (with the name of its ISO sibling, and whether
 * only a number is a time) or a tier. Fields not here are copied, or shaped when they are objects.
 */
type SpecialField = { kind: 'time'; iso: string; numberOnly: boolean } | { kind: 'tier' };
const SPECIAL_FIELDS: ReadonlyMap<string, SpecialField> = new Map<string, SpecialField>([
  ...[...TIME_FIELDS].map((key): [string, SpecialField] => [key, { kind: 'time', iso: `${key}${ISO_SUFFIX}`, numberOnly: NUMBER_ONLY_TIME_FIELDS.has(key) }]),
  ...[...TIER_FIELDS].map((key): [string, SpecialField] => [key, { kind: 'tier' }]),
]);

/** `value` as it is printed with --json (see the rules above); the input is not changed. */
export function toJsonShape(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return shapeArray(value);
  if (value instanceof Date) return value.toISOString();
  return shapeObject(value as Record<string, unknown>);
}

// The two helpers below are the hot path of every JSON answer (a 45-day totals answer is some
// 5,000 fields): plain loops, no per-field pair arrays (Object.entries) and no call for a
// primitive value.

function shapeArray(list: readonly unknown[]): unknown[] {
  const out = new Array<unknown>(list.length);
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    out[i] = item === null || typeof item !== 'object' ? item : toJsonShape(item);
  }
  return out;
}

function shapeObject(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const field = value[key];
    if (field === undefined) continue;
    const special = SPECIAL_FIELDS.get(key);
    if (special !== undefined) {
      if (special.kind === 'time') {
        if (typeof field === 'number' || (field === null && !special.numberOnly)) {
          const time = field === null || field === 0 ? null : field;
          out[key] = time;
          out[special.iso] = time === null ? null : isoTime(time);
          continue;
        }
      } else if (field === null || isTier(field)) {
        out[key] = tierName(field);
        continue;
      }
    }
    out[key] = field === null || typeof field !== 'object' ? field : toJsonShape(field);
  }
  return out;
}
