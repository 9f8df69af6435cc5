import { readStatus, type MissedSnapshots, type StatusReport } from '../../queries/status.js';
import { fixed, printJson, renderTable, stdoutOutput } from '../output.js';
import { formatTime } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export async function statusCommand(globals: RuntimeOptions, flags: { json?: boolean }): Promise<void> {
  const report = await withRuntime(globals, ({ settings, ctx }) => readStatus(ctx, settings));
  print(report, flags.json ?? false);
}

function print(report: StatusReport, json: boolean): void {
  const out = stdoutOutput(json);
  if (json) return printJson(out, report);
  out.write(`database: ${report.database}`);
  if (report.vcenters.length === 0) return out.write('no vCenter configured or captured yet');
  out.write(
    renderTable(
      [
        'vCenter',
        'latest snapshot (UTC)',
        'VMs',
        'charged',
        'vCPU',
        'RAM GB',
        'disk GB',
        'Tin',
        'Bronze',
        'Silver',
        'Gold',
        'none',
        `missed (${report.missedSnapshotDays} d)`,
        'last snapshot job',
      ],
      report.vcenters.map((v) => {
        const t = v.totals;
        const job = v.lastSnapshotJob;
        return [
          v.configured ? v.vcenter : `${v.vcenter} (not configured)`,
          formatTime(v.latestSnapshot),
          t?.vmCount ?? '-',
          t?.chargeableVmCount ?? '-',
          t ? fixed(t.vcpuTotal) : '-',
          t ? fixed(t.ramGbTotal) : '-',
          t ? fixed(t.diskGbTotal) : '-',
          t?.tinVmCount ?? '-',
          t?.bronzeVmCount ?? '-',
          t?.silverVmCount ?? '-',
          t?.goldVmCount ?? '-',
          t?.untieredVmCount ?? '-',
          missedCell(v.missedSnapshots),
          job ? `${job.status} at ${formatTime(job.finishedAt)}${job.error ? `: ${job.error}` : ''}` : 'never ran',
        ];
      }),
    ),
  );
  for (const v of report.vcenters) {
    if (v.missedSnapshots.days.length === 0) continue;
    const days = v.missedSnapshots.days.map(
      (d) => `${d.day} ${d.present}/${d.expected} (${d.missing} missed${d.source === 'snapshots' ? ', not aggregated yet' : ''})`,
    );
    out.write(`missed snapshots, ${v.vcenter}: ${days.join('; ')}`);
  }
  for (const job of report.jobs) out.write(`${job.job}: ${job.status} at ${formatTime(job.finishedAt)}${job.error ? ` (${job.error})` : ''}`);
}

/** "none", "3 on 1 day", or "-" when no complete day could be checked yet. */
function missedCell(m: MissedSnapshots): string {
  if (m.daysChecked === 0) return '-';
  if (m.days.length === 0) return 'none';
  return `${m.missing} on ${m.days.length} day${m.days.length === 1 ? '' : 's'}`;
}
