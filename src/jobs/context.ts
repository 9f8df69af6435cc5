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
  /**
   * Fires on SIGINT/SIGTERM (src/app/interrupt.ts) with an InterruptedError as its reason. Jobs
   * hand it to what they wait on (vCenter calls, sleeps); the runtime's store rolls its
   * transactions back at it (src/store/interruptible-store.ts); withJobRun records the run as
   * interrupted. Absent: the job runs to its end.
   */
  signal?: AbortSignal;
}

export { unixSeconds } from '../core/periods.js';
