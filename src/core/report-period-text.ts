// Periods as the workbooks write them. For people: the first and the last day, both inclusive
// (`2026-10-01 to 2026-10-31`; one day is just `2026-10-21`), as finance writes a billing period.
// For the record: the exact UTC bounds, start inclusive and end exclusive, as vctp stores and
// computes them (`2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z`). An hour is a time of day, so it
// keeps its end instant (`2026-04-21 13:00 to 14:00 UTC`).

const DAY = 86_400;

const day = (unix: number): string => new Date(unix * 1000).toISOString().slice(0, 10);

/** Whole UTC days [start, end) for people: `2026-10-01 to 2026-10-31`, or `2026-10-21` for one day. */
export function daysText(start: number, end: number): string {
  const last = day(end - DAY);
  return last === day(start) ? last : `${day(start)} to ${last}`;
}

/** `2026-10-01T00:00:00Z`: an instant in ISO 8601, seconds, UTC. */
export function utcInstant(unix: number): string {
  return new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

/** The exact bounds: `2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z (end exclusive)`. */
export function utcBoundsText(start: number, end: number): string {
  return `${utcInstant(start)} to ${utcInstant(end)} (end exclusive)`;
}

/** One UTC hour for people: `2026-04-21 13:00 to 14:00 UTC` (24:00 for the last hour of a day). */
export function hourText(hourStart: number): string {
  const h = new Date(hourStart * 1000).getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day(hourStart)} ${pad(h)}:00 to ${pad(h + 1)}:00 UTC`;
}
