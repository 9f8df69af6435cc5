// A one-line progress display on an interactive terminal; nothing at all under systemd or in a pipe,
// where the log lines say everything.
import type { SnapshotProgress } from '../jobs/snapshot.js';

export interface ProgressDisplay {
  update(event: SnapshotProgress): void;
  finish(): void;
}

export function snapshotProgress(enabled: boolean, vcenterCount: number, stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!enabled) return { update: () => {}, finish: () => {} };
  const collected = new Map<string, number>();
  let done = 0;
  let lastDraw = 0;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const vms = [...collected.values()].reduce((a, b) => a + b, 0);
    const width = 24;
    const filled = Math.round((done / Math.max(1, vcenterCount)) * width);
    stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${vcenterCount} vCenters, ${vms} VMs collected`);
  };
  return {
    update(event) {
      if (event.kind === 'collecting') collected.set(event.vcenter, event.collected);
      else done++;
      draw(event.kind === 'done');
    },
    finish() {
      stream.write('\r\x1b[K');
    },
  };
}
