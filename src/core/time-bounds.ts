// Which times a flag may carry. Every stored time is read back through JavaScript dates (tables,
// JSON, reports), so a time outside what they represent must never reach the store; and a snapshot
// records what vCenter holds now, so its time can be neither in the future (every later hourly run
// would be refused until then) nor before vSphere existed.
import { VctpError } from './errors.js';

/**
 * How far a snapshot time may lie ahead of this host's clock: the skew between two collectors'
 * clocks (or a time given to the minute, rounded up) that NTP-synchronised hosts never exceed.
 * Anything further ahead is a mistaken --at, which would block every hourly run until that time.
 */
export const CLOCK_SKEW_ALLOWANCE_SECONDS = 300;

/**
 * 2000-01-01T00:00:00Z. VMware ESX shipped in 2001 and VirtualCenter in 2003: no vSphere inventory
 * is older, so an earlier snapshot time is a typo (a digit short, a wrong year).
 */
export const EARLIEST_SNAPSHOT_TIME = 946_684_800;

/** ECMAScript dates cover ±8.64e15 ms around the epoch (years -271821 to 275760): in seconds. */
export const MAX_REPRESENTABLE_SECONDS = 8_640_000_000_000;

export function isRepresentableTime(unix: number): boolean {
  return Number.isFinite(unix) && Math.abs(unix) <= MAX_REPRESENTABLE_SECONDS;
}

/** ISO 8601 (seconds, UTC) when the time is a date; otherwise the raw number, said to be none. */
export function formatUnixTime(unix: number): string {
  if (!isRepresentableTime(unix)) return `${unix} (unix seconds, not a representable date)`;
  return new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

/** Refuses a time that JavaScript dates cannot represent, naming the flag that gave it. */
export function assertRepresentableTime(flag: string, unix: number): void {
  if (isRepresentableTime(unix)) return;
  const hint = Number.isFinite(unix) && Math.abs(unix / 1000) <= MAX_REPRESENTABLE_SECONDS ? ' (milliseconds? times are unix seconds)' : '';
  throw new VctpError(
    'usage',
    `${flag} ${unix}: not a representable time; unix seconds must lie within ±${MAX_REPRESENTABLE_SECONDS} ` +
      `(years -271821 to 275760)${hint}`,
  );
}

/**
 * Refuses a snapshot time that is not a date, earlier than EARLIEST_SNAPSHOT_TIME, or later than
 * `nowSeconds` plus CLOCK_SKEW_ALLOWANCE_SECONDS.
 */
export function assertSnapshotTime(flag: string, at: number, nowSeconds: number): void {
  assertRepresentableTime(flag, at);
  if (at < EARLIEST_SNAPSHOT_TIME) {
    throw new VctpError(
      'usage',
      `${flag} ${formatUnixTime(at)}: before ${formatUnixTime(EARLIEST_SNAPSHOT_TIME)}; no vSphere inventory is that old`,
    );
  }
  const latestAllowed = nowSeconds + CLOCK_SKEW_ALLOWANCE_SECONDS;
  if (at > latestAllowed) {
    const millis = at / 1000 >= EARLIEST_SNAPSHOT_TIME && at / 1000 <= latestAllowed ? ' (milliseconds? --at takes unix seconds)' : '';
    throw new VctpError(
      'usage',
      `${flag} ${formatUnixTime(at)}: in the future (now is ${formatUnixTime(nowSeconds)}; at most ` +
        `${CLOCK_SKEW_ALLOWANCE_SECONDS} s ahead is allowed for clock skew); a snapshot records the inventory as it is now, ` +
        `and a future one would make every hourly run until then refuse to store${millis}`,
    );
  }
}
