import { parseLockName, readStatus, type MissedSnapshots, type RunningJob, type StatusReport, type VcenterStatus } from '../../queries/status.js';
import { type Cell, count, fixed, printJson, stdoutOutput, type Output } from '../output.js';
import { formatTime } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface StatusFlags {
  json?: boolean;
  wide?: boolean;
}

export async function statusCommand(globals: RuntimeOptions, flags: StatusFlags): Promise<void> {
  const report = await withRuntime(globals, ({ settings, ctx }) => readStatus(ctx, settings), { readOnly: true });
  print(stdoutOutput({ json: flags.json, quiet: globals.quiet }), report, flags.wide ?? false);
}

/**
 * Default: is capture working? Per vCenter the latest snapshot, its VM count, missed snapshots and
 * the last snapshot job's result; a failure's time and error follow the table. --wide adds the
 * latest snapshot's chargeable VMs, sizes and tier counts (also `vctp totals --view hourly`).
 */
function print(out: Output, report: StatusReport, wide: boolean): void {
  if (out.json) return printJson(out, report);
  out.write(`database: ${report.database}`);
  if (report.vcenters.length === 0) {
    out.write('no vCenter configured or captured yet');
    return printRunning(out, report.running);
  }
  const head = ['vCenter', 'latest snapshot (UTC)', 'VMs'];
  if (wide) head.push('charged', 'vCPU', 'RAM GB', 'disk GB', 'Tin', 'Bronze', 'Silver', 'Gold', 'No tier');
  head.push(`missed (${report.missedSnapshotDays} d)`, 'last run');
  out.table(
    head,
    report.vcenters.map((v) => {
      const t = v.totals;
      const cells: Cell[] = [v.configured ? v.vcenter : `${v.vcenter} (not configured)`, formatTime(v.latestSnapshot), t?.vmCount];
      if (wide) {
        cells.push(t?.chargeableVmCount, t?.vcpuTotal, t && fixed(t.ramGbTotal), t && fixed(t.diskGbTotal), t?.tinVmCount, t?.bronzeVmCount, t?.silverVmCount, t?.goldVmCount, t?.untieredVmCount);
      }
      return [...cells, missedCell(v.missedSnapshots), jobCell(v, wide)];
    }),
  );
  printRunning(out, report.running);
  for (const v of report.vcenters) {
    const job = v.lastSnapshotJob;
    if (job && job.status !== 'ok') {
      const attempts = job.attempts > 1 ? ` after ${count(job.attempts)} attempts` : '';
      out.write(`last snapshot job of ${v.vcenter}: ${job.status} at ${formatTime(job.finishedAt)}${attempts}${job.error ? `: ${job.error}` : ''}`);
    }
  }
  for (const v of report.vcenters) {
    if (v.missedSnapshots.days.length === 0) continue;
    const days = v.missedSnapshots.days.map(
      (d) => `${d.day} ${d.present}/${d.expected} (${d.missing} missed${d.source === 'snapshots' ? ', not aggregated yet' : ''})`,
    );
    out.write(`missed snapshots, ${v.vcenter}: ${days.join('; ')}`);
  }
  for (const job of report.jobs) out.write(`${job.job}: ${job.status} at ${formatTime(job.finishedAt)}${job.error ? ` (${job.error})` : ''}`);
  if (report.closedMonths.length > 0) out.write(`closed months: ${report.closedMonths.join(', ')} (vctp month list)`);
}

/**
 * The jobs running now, one line (nothing when none): `running: snapshot of vc1.example.com (pid
 * 4242 on host01 since 2026-12-01T14:00:05Z), aggregate (every vCenter) (...)`; a stale lock gets
 * a line of its own.
 */
function printRunning(out: Output, running: readonly RunningJob[]): void {
  const live = running.filter((r) => r.state === 'running');
  if (live.length > 0) out.write(`running: ${live.map((r) => `${lockText(r.job)} (${holderText(r)})`).join(', ')}`);
  for (const r of running) {
    if (r.state === 'stale') out.write(`${lockText(r.job)} lock: stale (${r.detail ?? 'holder gone'}; was ${holderText(r)}; the next run takes it over)`);
  }
}

/** `snapshot:vc1.example.com` -> `snapshot of vc1.example.com`; a whole-database lock -> `aggregate (every vCenter)`. */
function lockText(name: string): string {
  const { kind, vcenter } = parseLockName(name);
  return vcenter === null ? `${kind} (every vCenter)` : `${kind} of ${vcenter}`;
}

function holderText(r: RunningJob): string {
  if (r.holder === null) return 'holder not recorded yet';
  const who = r.pid !== null && r.host !== null ? `pid ${r.pid} on ${r.host}` : r.holder;
  return r.since === null ? who : `${who} since ${formatTime(r.since)}`;
}

/** The last snapshot run: ok, failed or skipped (with its time under --wide), or "never ran". */
function jobCell(v: VcenterStatus, wide: boolean): string {
  const job = v.lastSnapshotJob;
  if (!job) return 'never ran';
  return wide ? `${job.status} at ${formatTime(job.finishedAt)}` : job.status;
}

/** "none", "3 on 1 day", or "-" when no complete day could be checked yet. */
function missedCell(m: MissedSnapshots): string {
  if (m.daysChecked === 0) return '-';
  if (m.days.length === 0) return 'none';
  return `${count(m.missing)} on ${m.days.length} day${m.days.length === 1 ? '' : 's'}`;
}
