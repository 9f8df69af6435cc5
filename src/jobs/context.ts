// What every job receives (a use case is a verb taking (ctx, input)).
import type { Logger } from '../log/logger.js';
import type { MetricsPublisher } from '../metrics/publisher.js';
import type { Store } from '../store/executor.js';

export interface JobContext {
  store: Store;
  log: Logger;
  /** Wall clock in unix milliseconds; tests pass a fixed one. */
  now: () => number;
  /** Where finished runs publish their metrics (src/jobs/job-run.ts); absent: no metrics. */
  metrics?: MetricsPublisher;
}

export { unixSeconds } from '../core/periods.js';
