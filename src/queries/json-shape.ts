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
  return new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Tin, Bronze, Silver, Gold, or "No tier". */
export function tierName(tier: Tier | null | undefined): string {
  return tier ? GROUP_LABELS[tier] : GROUP_LABELS.untiered;
}

function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && (TIERS as readonly string[]).includes(value);
}

/** `value` as it is printed with --json (see the rules above); the input is not changed. */
export function toJsonShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonShape);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (TIME_FIELDS.has(key) && (typeof field === 'number' || (field === null && !NUMBER_ONLY_TIME_FIELDS.has(key)))) {
      const time = field === null || field === 0 ? null : field;
      out[key] = time;
      out[`${key}${ISO_SUFFIX}`] = time === null ? null : isoTime(time);
    } else if (TIER_FIELDS.has(key) && (field === null || isTier(field))) {
      out[key] = tierName(field);
    } else {
      out[key] = toJsonShape(field);
    }
  }
  return out;
}
