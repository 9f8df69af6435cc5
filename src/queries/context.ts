// What every read-side use case receives: the store, the logger and the clock. A job's context
// (src/jobs/context.ts) is one too, so the CLI and the HTTP server pass whichever they hold.
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/executor.js';

export interface QueryContext {
  store: Store;
  log: Logger;
  /** Wall clock in unix milliseconds; tests pass a fixed one. */
  now: () => number;
}
