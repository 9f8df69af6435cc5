// `vctp snapshot delete --vcenter V --at T [--json]`: takes one hourly snapshot back
// (src/jobs/snapshot-delete.ts). A subcommand of `snapshot`, which has options of the same names:
// commander gives an option to the first command that knows it, so --vcenter, --at, --lock-wait
// and --json arrive through `snapshot`; program.ts hands this command every option of the chain.
import { VctpError } from '../../core/errors.js';
import { formatUnixTime, isRepresentableTime } from '../../core/time-bounds.js';
import { runSnapshotDelete, type SnapshotDeleted, type SnapshotDeleteResult, type SummaryAfterRemoval } from '../../jobs/snapshot-delete.js';
import { count, printJson, stdoutOutput, type Output } from '../output.js';
import { parseIntegerFlag, parseTimeFlag } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface SnapshotDeleteFlags {
  vcenter?: string | string[];
  at?: string;
  lockWait?: string;
  json?: boolean;
  /** Options of `snapshot` itself that mean nothing here (refused when given). */
  retrySeconds?: string;
  maxRetries?: string;
  pageSize?: string;
  wide?: boolean;
}

/** `snapshot` options that do not apply to deleting one. */
const CAPTURE_ONLY: [keyof SnapshotDeleteFlags, string][] = [
  ['retrySeconds', '--retry-seconds'],
  ['maxRetries', '--max-retries'],
  ['pageSize', '--page-size'],
  ['wide', '--wide'],
];

/**
 * The snapshot's time as registered. Unix seconds are taken as given, however far out: a time that
 * no date represents (stored by a vctp that did not check --at) is exactly what may need removing.
 */
export function parseSnapshotAt(value: string): number {
  if (/^\d+$/.test(value)) {
    const unix = Number(value);
    if (!Number.isSafeInteger(unix)) throw new VctpError('usage', `--at ${value}: too large to be a stored time`);
    return unix;
  }
  return parseTimeFlag('--at', value);
}

export async function snapshotDeleteCommand(globals: RuntimeOptions, flags: SnapshotDeleteFlags): Promise<void> {
  for (const [key, flag] of CAPTURE_ONLY) {
    if (flags[key] !== undefined) throw new VctpError('usage', `${flag}: an option of taking a snapshot, not of snapshot delete`);
  }
  const vcenters = flags.vcenter === undefined ? [] : ([] as string[]).concat(flags.vcenter);
  if (vcenters.length !== 1) {
    throw new VctpError('usage', `--vcenter: snapshot delete takes exactly one vCenter (host[:port] as stored, or its SDK URL)${vcenters.length > 1 ? `, got ${vcenters.join(', ')}` : ''}`);
  }
  if (flags.at === undefined) throw new VctpError('usage', '--at: the time of the snapshot to delete is required (unix seconds or ISO 8601, as `vctp status` or `vctp trace` show it)');
  const at = parseSnapshotAt(flags.at);
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const result = await withRuntime(globals, async ({ settings, ctx }) =>
    runSnapshotDelete(ctx, settings, {
      vcenter: vcenters[0]!,
      at,
      lockWaitSeconds: flags.lockWait === undefined ? settings.lock_wait_seconds : parseIntegerFlag('--lock-wait', flags.lockWait),
    }),
  );
  print(out, result);
  if (result.skipped) {
    throw new VctpError('lock', `another vctp snapshot is running (${result.holder}); nothing was removed: try again when it has finished`);
  }
}

function print(out: Output, result: SnapshotDeleteResult): void {
  if (out.json) return printJson(out, jsonSafe(result));
  if (result.skipped) return;
  const c = result.changes;
  const latest = result.latestSnapshot === null ? 'it has no snapshot left' : `its latest snapshot is ${formatUnixTime(result.latestSnapshot)}`;
  out.write(`removed the hourly snapshot of ${result.vcenter} at ${formatUnixTime(result.snapshotTime)} (${plural(result.vmCount, 'VM')}); ${latest}`);
  const changed = [
    [c.spansDeleted, 'span of that snapshot alone removed', 'spans of that snapshot alone removed'],
    [c.spansTrimmed, 'span shortened', 'spans shortened'],
    [c.spansMerged, 'span joined into the one before it', 'spans joined into the one before them'],
    [c.spansReopened, 'span open again', 'spans open again'],
    [c.lifecyclesDeleted, 'VM seen only then removed', 'VMs seen only then removed'],
    [c.lifecyclesUpdated, 'VM with a new first or last sight, creation or deletion time', 'VMs with a new first or last sight, creation or deletion time'],
  ] as const;
  const parts = changed.filter(([n]) => n > 0).map(([n, one, many]) => `${count(n)} ${n === 1 ? one : many}`);
  out.write(parts.length > 0 ? `${parts.join('; ')}` : 'every VM ran through it unchanged: no span or VM row changed');
  for (const s of result.summaries) {
    const line = summaryLine(s);
    if (line) out.write(line);
  }
  if (result.hourlyReport) out.write(`hourly report ${result.hourlyReport.path} still shows the removed snapshot: ${result.hourlyReport.advice}`);
}

function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function summaryLine(s: SummaryAfterRemoval): string | null {
  const what = `${s.kind} summary ${s.period}`;
  switch (s.state) {
    case 'none':
      return null;
    case 'removed':
      return `${what} removed: no snapshot of the ${s.kind === 'daily' ? 'day' : 'month'} is left`;
    case 'current':
      return `${what} unchanged: ${s.detail}`;
    case 'stale':
      return `${what} is now stale (${s.detail}): ${s.advice} re-aggregates it`;
  }
}

/** --json of a removed time that no date represents: the number as text (the ISO sibling would fail). */
function jsonSafe(result: SnapshotDeleteResult): unknown {
  if (result.skipped || isRepresentableTime(result.snapshotTime)) return result;
  const shown: Omit<SnapshotDeleted, 'snapshotTime'> & { snapshotTime: string } = { ...result, snapshotTime: formatUnixTime(result.snapshotTime) };
  return shown;
}
