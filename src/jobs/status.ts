// `vctp status`: what was captured, per vCenter: the latest snapshot, its totals and the last
// snapshot job's result. Configured vCenters without any data are listed too.
import type { VcenterTotals } from '../core/totals.js';
import { latestJobRuns, type JobRun } from '../store/job-runs-repository.js';
import { readLatestTotals } from '../store/totals-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { vcenterName } from '../vcenter/index.js';
import type { JobContext } from './context.js';

export interface VcenterStatus {
  vcenter: string;
  configured: boolean;
  latestSnapshot: number | null;
  totals: VcenterTotals | null;
  lastSnapshotJob: Pick<JobRun, 'status' | 'finishedAt' | 'attempts' | 'error'> | null;
}

export interface StatusReport {
  database: string;
  vcenters: VcenterStatus[];
  /** Latest run of each job that is not per vCenter (e.g. a skipped snapshot). */
  jobs: JobRun[];
}

export async function readStatus(ctx: JobContext, configuredUrls: readonly string[]): Promise<StatusReport> {
  const configured = new Set(configuredUrls.map(vcenterName));
  const totals = new Map((await readLatestTotals(ctx.store)).map((t) => [t.vcenter, t]));
  const runs = await latestJobRuns(ctx.store);
  const names = new Set([...configured, ...(await listVcenters(ctx.store)).map((v) => v.name)]);
  const vcenters = [...names].sort().map((vcenter): VcenterStatus => {
    const latest = totals.get(vcenter);
    const run = runs.find((r) => r.job === 'snapshot' && r.vcenter === vcenter);
    return {
      vcenter,
      configured: configured.has(vcenter),
      latestSnapshot: latest?.snapshotTime ?? null,
      totals: latest?.totals ?? null,
      lastSnapshotJob: run ? { status: run.status, finishedAt: run.finishedAt, attempts: run.attempts, error: run.error } : null,
    };
  });
  return { database: ctx.store.description, vcenters, jobs: runs.filter((r) => r.vcenter === null) };
}
