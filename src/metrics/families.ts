// Every metric family vctp exposes, in one table: its name (the original system's, plus the two we
// added), type, help text, labels, which job's textfile carries it, and how its samples come from
// the figures. The registry builder and the textfile exporter both read this table; nothing else
// names a metric.
import type { MetricFigures, RunCounts } from '../core/metric-figures.js';

export type FamilyType = 'counter' | 'gauge';

/**
 * Who publishes a family in the textfile exporter: 'job' families are in every job's file (that
 * job's series only); the others in the file of the job that owns them (see `ownedGroups`).
 */
export type FamilyGroup = 'job' | 'hourly' | 'vcenter' | 'daily' | 'monthly' | 'reports';

/** One series. A gauge whose figure is unknown (null) has no series at all, never a 0. */
export interface Sample {
  labels: Record<string, string>;
  value: number | null;
}

export interface Family {
  name: string;
  type: FamilyType;
  help: string;
  labelNames: readonly string[];
  group: FamilyGroup;
  samples(figures: MetricFigures): Sample[];
}

const one = (value: number | null): Sample[] => [{ labels: {}, value }];

function runFamilies(prefix: 'daily' | 'monthly', what: string, counts: (f: MetricFigures) => RunCounts): Family[] {
  return [
    {
      name: `vctp_${prefix}_aggregations_total`,
      type: 'counter',
      help: `Per-vCenter ${what} aggregation runs that did work, ok or failed (from job_runs).`,
      labelNames: [],
      group: prefix,
      samples: (f) => one(counts(f).total),
    },
    {
      name: `vctp_${prefix}_aggregations_failed_total`,
      type: 'counter',
      help: `Per-vCenter ${what} aggregation runs that failed (from job_runs).`,
      labelNames: [],
      group: prefix,
      samples: (f) => one(counts(f).failed),
    },
    {
      name: `vctp_${prefix}_aggregation_duration_seconds`,
      type: 'gauge',
      help: `Duration of the latest whole ${what} aggregation run, in seconds.`,
      labelNames: [],
      group: prefix,
      samples: (f) => one(counts(f).lastDurationSeconds),
    },
  ];
}

export const FAMILIES: readonly Family[] = [
  {
    name: 'vctp_job_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'When the latest successful whole run of the job finished, unix seconds.',
    labelNames: ['job'],
    group: 'job',
    samples: (f) => f.jobs.map((j) => ({ labels: { job: j.job }, value: j.lastSuccessUnix })),
  },
  {
    name: 'vctp_job_duration_seconds',
    type: 'gauge',
    help: 'Duration of the latest whole run of the job that did work, in seconds.',
    labelNames: ['job'],
    group: 'job',
    samples: (f) => f.jobs.map((j) => ({ labels: { job: j.job }, value: j.lastDurationSeconds })),
  },
  {
    name: 'vctp_job_last_outcome',
    type: 'gauge',
    help: 'Outcome of the latest whole run of the job that did work: 1 succeeded, 0 failed (runs skipped for the lock do not count).',
    labelNames: ['job'],
    group: 'job',
    samples: (f) => f.jobs.map((j) => ({ labels: { job: j.job }, value: j.lastOutcome === null ? null : j.lastOutcome === 'ok' ? 1 : 0 })),
  },
  {
    name: 'vctp_hourly_snapshots_total',
    type: 'counter',
    help: 'Per-vCenter hourly snapshot runs that did work, ok or failed (from job_runs).',
    labelNames: [],
    group: 'hourly',
    samples: (f) => one(f.hourlySnapshots.total),
  },
  {
    name: 'vctp_hourly_snapshots_failed_total',
    type: 'counter',
    help: 'Per-vCenter hourly snapshot runs that failed after their retries (from job_runs).',
    labelNames: [],
    group: 'hourly',
    samples: (f) => one(f.hourlySnapshots.failed),
  },
  {
    name: 'vctp_hourly_snapshot_last_unix',
    type: 'gauge',
    help: 'Time of the latest stored hourly snapshot of any vCenter, unix seconds.',
    labelNames: [],
    group: 'hourly',
    samples: (f) => one(f.hourlySnapshots.lastUnix),
  },
  {
    name: 'vctp_hourly_snapshot_last_rows',
    type: 'gauge',
    help: "VM rows in each vCenter's latest stored hourly snapshot, summed over vCenters.",
    labelNames: [],
    group: 'hourly',
    samples: (f) => one(f.hourlySnapshots.lastRows),
  },
  {
    name: 'vctp_vcenter_connect_failures_total',
    type: 'counter',
    help: 'Failed attempts to collect from the vCenter (connection, login, TLS, timeout or fault), retries included (from job_runs).',
    labelNames: ['vcenter'],
    group: 'vcenter',
    samples: (f) => f.vcenters.map((v) => ({ labels: { vcenter: v.vcenter }, value: v.failedAttempts })),
  },
  {
    name: 'vctp_vcenter_snapshot_duration_seconds',
    type: 'gauge',
    help: "Duration of the vCenter's latest snapshot run that did work (all attempts), in seconds.",
    labelNames: ['vcenter'],
    group: 'vcenter',
    samples: (f) => f.vcenters.map((v) => ({ labels: { vcenter: v.vcenter }, value: v.lastDurationSeconds })),
  },
  {
    name: 'vctp_vcenter_inventory_size',
    type: 'gauge',
    help: "VMs in the vCenter's latest stored hourly snapshot.",
    labelNames: ['vcenter'],
    group: 'vcenter',
    samples: (f) => f.vcenters.map((v) => ({ labels: { vcenter: v.vcenter }, value: v.inventorySize })),
  },
  {
    name: 'vctp_vcenter_last_snapshot_timestamp_seconds',
    type: 'gauge',
    help: "Time of the vCenter's latest stored hourly snapshot, unix seconds.",
    labelNames: ['vcenter'],
    group: 'vcenter',
    samples: (f) => f.vcenters.map((v) => ({ labels: { vcenter: v.vcenter }, value: v.lastSnapshotUnix })),
  },
  ...runFamilies('daily', 'daily', (f) => f.dailyAggregations),
  ...runFamilies('monthly', 'monthly', (f) => f.monthlyAggregations),
  {
    name: 'vctp_reports_available',
    type: 'gauge',
    help: 'Report files (hourly, daily, monthly) present for data that exists.',
    labelNames: [],
    group: 'reports',
    samples: (f) => (f.reports ? one(f.reports.available) : []),
  },
  {
    name: 'vctp_reports_pending',
    type: 'gauge',
    help: 'Reports whose data exists but whose file is missing or older than the data.',
    labelNames: [],
    group: 'reports',
    samples: (f) => (f.reports ? one(f.reports.pending) : []),
  },
];

/** The families a job's textfile carries besides its own vctp_job_* series. */
export function ownedGroups(job: string): FamilyGroup[] {
  if (job === 'snapshot') return ['hourly', 'vcenter'];
  if (job === 'aggregate-daily') return ['daily'];
  if (job === 'aggregate-monthly') return ['monthly'];
  if (job.startsWith('report-')) return ['reports'];
  return [];
}
