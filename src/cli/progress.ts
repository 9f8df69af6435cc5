// A one-line progress display on an interactive terminal; nothing at all under systemd or in a pipe,
// where the log lines say everything. The line lives at the bottom of stderr: the logger writes
// through `StatusLine.stream`, which takes the line away before each log line and draws it again
// after, so that log lines are never glued to or overwritten by it.
import { Writable } from 'node:stream';
import type { SnapshotProgress } from '../jobs/snapshot.js';
import { count, displayWidth } from './output.js';

const CLEAR = '\r\x1b[K';

/** The bottom line of a terminal stream, and a stream for everything else written there. */
export class StatusLine {
  private text = '';
  /** Give this to the logger as its destination. */
  readonly stream: Writable;

  constructor(private readonly target: NodeJS.WritableStream & { columns?: number } = process.stderr) {
    this.stream = new Writable({
      decodeStrings: false,
      write: (chunk: string | Buffer, _encoding, callback) => {
        this.around(() => target.write(chunk));
        callback();
      },
    });
  }

  /** Shows `text` as the status line (cut to the terminal's width: a wrapped line cannot be redrawn). */
  show(text: string): void {
    const width = (this.target.columns ?? 80) - 1;
    this.text = fit(text, width);
    this.target.write(`${CLEAR}${this.text}`);
  }

  /** Takes the status line away for good. */
  clear(): void {
    if (this.text === '') return;
    this.text = '';
    this.target.write(CLEAR);
  }

  /** Runs `write` with the status line taken away, then draws it again. */
  around(write: () => void): void {
    if (this.text === '') return write();
    this.target.write(CLEAR);
    write();
    this.target.write(this.text);
  }
}

function fit(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}

export interface ProgressDisplay {
  update(event: SnapshotProgress): void;
  finish(): void;
}

/**
 * `[#####...] 1/3 vCenters, 12,345 VMs collected`, redrawn at most every 100 ms, on `line`; nothing
 * when not enabled (not a terminal, --json, --quiet).
 */
export function snapshotProgress(enabled: boolean, vcenterCount: number, line: StatusLine = new StatusLine()): ProgressDisplay {
  if (!enabled) return { update: () => {}, finish: () => {} };
  const collected = new Map<string, number>();
  let done = 0;
  let failed = 0;
  let lastDraw = 0;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const vms = [...collected.values()].reduce((a, b) => a + b, 0);
    const width = 20;
    const filled = Math.round((done / Math.max(1, vcenterCount)) * width);
    const failures = failed > 0 ? `, ${failed} failed` : '';
    line.show(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${vcenterCount} vCenters${failures}, ${count(vms)} VMs collected`);
  };
  draw(true);
  return {
    update(event) {
      if (event.kind === 'collecting') collected.set(event.vcenter, event.collected);
      else {
        done++;
        if (!event.ok) failed++;
      }
      draw(event.kind === 'done');
    },
    finish() {
      line.clear();
    },
  };
}
