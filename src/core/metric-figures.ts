// The figures behind vctp's Prometheus metrics, as plain data. The store derives them from durable
// state (job_runs, snapshot_registry) so that counters stay monotonic across the many short
// processes a timer starts; src/metrics turns them into exposition text. Nothing here does I/O.

export type JobOutcome = 'ok' | 'failed';

/** One job's whole runs (job_runs rows without a vCenter), skipped runs left out. */
export interface JobFigures {
  job: string;
  /** Whole runs that did work (ok or failed). */
  runs: number;
  failed: number;
  /** Outcome and duration of the latest run that did work; null when it never ran. */
  lastOutcome: JobOutcome | null;
  lastDurationSeconds: number | null;
  /** finished_at of the latest successful run, unix seconds. */
  lastSuccessUnix: number | null;
}

/** Per vCenter, from the snapshot job's per-vCenter runs and the registry. */
export interface VcenterFigures {
  vcenter: string;
  /** Every failed attempt to collect from it (connection, login, TLS, timeout or fault), retries included. */
  failedAttempts: number;
  /** Duration of its latest snapshot run that did work. */
  lastDurationSeconds: number | null;
  /** VMs in its latest stored snapshot. */
  inventorySize: number | null;
  /** Time of its latest stored snapshot. */
  lastSnapshotUnix: number | null;
}

/** Per-vCenter runs of one kind of job, counted together (the spec's *_total counters). */
export interface RunCounts {
  total: number;
  failed: number;
  /** Duration of the latest whole run that did work. */
  lastDurationSeconds: number | null;
}

export interface ReportFigures {
  /** Report files present for data that exists (hourly, daily, monthly). */
  available: number;
  /** Reports whose data exists but whose file is missing or older than the data. */
  pending: number;
}

export interface MetricFigures {
  jobs: JobFigures[];
  hourlySnapshots: RunCounts & { lastUnix: number | null; lastRows: number | null };
  dailyAggregations: RunCounts;
  monthlyAggregations: RunCounts;
  vcenters: VcenterFigures[];
  /** Known to report runs (and to `serve`, which reads the reports directory); absent elsewhere. */
  reports?: ReportFigures;
}
