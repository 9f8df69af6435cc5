import { describeAfterJobReports } from '../../jobs/report-after-job.js';
import { assertCanSnapshot, runSnapshot, snapshotFailure, type SnapshotResult } from '../../jobs/snapshot.js';
import { fixed, printJson, renderTable, stdoutOutput } from '../output.js';
import { formatTime, parseIntegerFlag, parseTimeFlag } from '../parse-time.js';
import { snapshotProgress } from '../progress.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface SnapshotFlags {
  at?: string;
  vcenter?: string[];
  retrySeconds?: string;
  maxRetries?: string;
  lockWait?: string;
  pageSize?: string;
  json?: boolean;
}

export async function snapshotCommand(globals: RuntimeOptions, flags: SnapshotFlags): Promise<void> {
  const at = flags.at === undefined ? undefined : parseTimeFlag('--at', flags.at);
  const result = await withRuntime(globals, async ({ settings, ctx, interactive, vcenterPassword }) => {
    const effective = {
      ...settings,
      hourly_snapshot_retry_seconds:
        flags.retrySeconds === undefined ? settings.hourly_snapshot_retry_seconds : parseIntegerFlag('--retry-seconds', flags.retrySeconds),
      hourly_snapshot_max_retries:
        flags.maxRetries === undefined ? settings.hourly_snapshot_max_retries : parseIntegerFlag('--max-retries', flags.maxRetries),
      lock_wait_seconds: flags.lockWait === undefined ? settings.lock_wait_seconds : parseIntegerFlag('--lock-wait', flags.lockWait),
    };
    assertCanSnapshot(settings);
    const password = await vcenterPassword();
    const progress = snapshotProgress(!flags.json && interactive, settings.vcenter_addresses.length);
    try {
      return await runSnapshot(ctx, effective, {
        at,
        only: flags.vcenter,
        password,
        pageSize: flags.pageSize === undefined ? undefined : parseIntegerFlag('--page-size', flags.pageSize, 1),
        onProgress: (event) => progress.update(event),
      });
    } finally {
      progress.finish();
    }
  });
  print(result, flags.json ?? false);
  if (!flags.json && !result.skipped) for (const line of describeAfterJobReports(result.reports)) stdoutOutput(false).write(line);
  const failure = snapshotFailure(result);
  if (failure) throw failure;
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
