// Waiting for a vSphere Task. Apart from VimSession because it reads the task through the
// property collector, which itself runs on a session: the two modules would otherwise import
// each other.
import { setTimeout as sleep } from 'node:timers/promises';
import { VctpError } from '../core/errors.js';
import { retrieveProperties } from './property-collector.js';
import { faultFromMethodFault } from './vim-errors.js';
import type { VimSession } from './vim-session.js';
import { asString, type MoRef, type VimValue } from './vim-values.js';

/** Waits for a Task to finish; returns TaskInfo.result, throws its fault as VimFaultError. */
export async function waitForTask(
  session: VimSession,
  task: MoRef,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<VimValue | undefined> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  let delay = 20;
  for (;;) {
    const [info] = await retrieveProperties(session, [task], 'Task', ['info.state', 'info.result', 'info.error', 'info.descriptionId']);
    const state = asString(info?.props['info.state']);
    if (state === 'success') return info?.props['info.result'];
    if (state === 'error') {
      const what = asString(info?.props['info.descriptionId']) ?? task.value;
      throw faultFromMethodFault(session.name, what, info?.props['info.error']);
    }
    if (Date.now() > deadline) throw new VctpError('vcenter', `vCenter ${session.name}: task ${task.value} did not finish in time`);
    options.signal?.throwIfAborted();
    await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
    delay = Math.min(delay * 2, 1000);
  }
}
