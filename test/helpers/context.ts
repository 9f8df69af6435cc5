import { silentLogger } from '../../src/log/logger.js';
import type { JobContext } from '../../src/jobs/context.js';
import type { Store } from '../../src/store/executor.js';

export function testContext(store: Store, nowMs = Date.UTC(2026, 3, 21, 12)): JobContext {
  return { store, log: silentLogger(), now: () => nowMs };
}
