// What the job-run seam (src/jobs/job-run.ts) hands finished runs to. Implemented by the textfile
// exporter; tests and library callers leave it out of the job context.
import type { MetricFigures } from '../core/metric-figures.js';

export interface MetricsPublisher {
  /** After a whole run of `job` (done, failed or skipped): publish that job's series. */
  publish(job: string, figures: MetricFigures): Promise<void>;
  /**
   * Throws (VctpError 'config', naming the setting) when publishing cannot work at all, e.g. the
   * textfile directory is missing: for an entry point to call once before any job runs, so that a
   * wrong setting stops the command before it does work rather than after.
   */
  check?(): Promise<void>;
}
