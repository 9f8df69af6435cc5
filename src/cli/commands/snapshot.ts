import { resolveVcenterPassword } from '../../config/credentials.js';
import { isInteractiveTerminal } from '../../config/env.js';
import { VctpError } from '../../core/errors.js';
import { afterJobReportError, type AfterJobReports, describeAfterJobReports, reportsAfterSnapshot } from '../../jobs/report-after-job.js';
import { assertCanSnapshot, runSnapshot, type SnapshotResult } from '../../jobs/snapshot.js';
import { fixed, printJson, renderTable, stdoutOutput } from '../output.js';
import { formatTime, parseIntegerFlag, parseTimeFlag } from '../parse-time.js';
import { snapshotProgress } from '../progress.js';
import { type GlobalOptions, withRuntime } from '../runtime.js';

export interface SnapshotFlags {
  at?: string;
  vcenter?: string[];
  retrySeconds?: string;
  maxRetries?: string;
  lockWait?: string;
  pageSize?: string;
  json?: boolean;
}

export async function snapshotCommand(globals: GlobalOptions, flags: SnapshotFlags): Promise<void> {
  const at = flags.at === undefined ? undefined : parseTimeFlag('--at', flags.at);
  let reports: AfterJobReports | null = null;
  const result = await withRuntime(globals, async ({ loaded, settings, log, ctx }) => {
    const effective = {
      ...settings,
      hourly_snapshot_retry_seconds:
        flags.retrySeconds === undefined ? settings.hourly_snapshot_retry_seconds : parseIntegerFlag('--retry-seconds', flags.retrySeconds),
      hourly_snapshot_max_retries:
        flags.maxRetries === undefined ? settings.hourly_snapshot_max_retries : parseIntegerFlag('--max-retries', flags.maxRetries),
      lock_wait_seconds: flags.lockWait === undefined ? settings.lock_wait_seconds : parseIntegerFlag('--lock-wait', flags.lockWait),
    };
    assertCanSnapshot(settings);
    const password = await resolveVcenterPassword(loaded, log);
    const progress = snapshotProgress(!flags.json && isInteractiveTerminal(process.stderr), settings.vcenter_addresses.length);
    let snapshot: SnapshotResult;
    try {
      snapshot = await runSnapshot(ctx, effective, {
        at,
        only: flags.vcenter,
        password,
        pageSize: flags.pageSize === undefined ? undefined : parseIntegerFlag('--page-size', flags.pageSize, 1),
        onProgress: (event) => progress.update(event),
      });
    } finally {
      progress.finish();
    }
    // async_report_generation: false builds the hourly report now, after the commit (never instead of it).
    const stored = snapshot.skipped ? [] : snapshot.outcomes.flatMap((o) => (o.ok && o.summary ? [o.summary.snapshotTime] : []));
    reports = await reportsAfterSnapshot(ctx, settings, stored);
    return snapshot;
  });
  print(result, flags.json ?? false);
  if (!flags.json) for (const line of describeAfterJobReports(reports)) stdoutOutput(false).write(line);
  const reportError = afterJobReportError(reports);
  if (!result.skipped) {
    const failed = result.outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      const message = `${failed.length} of ${result.outcomes.length} vCenters failed: ${failed.map((f) => f.error).join('; ')}`;
      throw new VctpError('partial', reportError ? `${message}; ${reportError.message}` : message);
    }
  }
  if (reportError) throw reportError;
}

function print(result: SnapshotResult, json: boolean): void {
  const out = stdoutOutput(json);
  if (json) return printJson(out, result);
  if (result.skipped) return out.write(`another vctp snapshot is running (${result.holder}); this run did nothing`);
  out.write(
    renderTable(
      ['vCenter', 'snapshot (UTC)', 'VMs', 'new', 'changed', 'gone', 'vCPU', 'RAM GB', 'disk GB', 'result'],
      result.outcomes.map((o) => {
        const s = o.summary;
        return [
          o.vcenter,
          formatTime(s?.snapshotTime ?? null),
          s?.vmCount ?? '-',
          s?.added ?? '-',
          s?.changed ?? '-',
          s?.removed ?? '-',
          s ? fixed(s.totals.vcpuTotal) : '-',
          s ? fixed(s.totals.ramGbTotal) : '-',
          s ? fixed(s.totals.diskGbTotal) : '-',
          o.ok ? `ok (${(o.durationMs / 1000).toFixed(1)} s)` : `failed after ${o.attempts} attempts: ${o.error}`,
        ];
      }),
    ),
  );
}
