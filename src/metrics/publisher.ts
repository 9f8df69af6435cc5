// What the job-run seam (src/jobs/job-run.ts) hands finished runs to. Implemented by the textfile
// exporter; tests and library callers leave it out of the job context.
import type { MetricFigures } from '../core/metric-figures.js';

export interface MetricsPublisher {
  /** After a whole run of `job` (done, failed or skipped): publish that job's series. */
  publish(job: string, figures: MetricFigures): Promise<void>;
}
