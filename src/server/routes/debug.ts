// /debug/pprof/*: the Node.js counterparts of Go's pprof handlers, registered only when
// settings.enable_pprof is true and admin-only (both decided in the route table). Go's pprof
// formats mean nothing to a Node.js process, so the answers are what Chrome DevTools (Memory and
// Performance panels) and VS Code open: a V8 .heapsnapshot and a .cpuprofile.
import { Readable } from 'node:stream';
import { getHeapSnapshot } from 'node:v8';
import { Session } from 'node:inspector/promises';
import { z } from '@hono/zod-openapi';
import { VctpError } from '../../core/errors.js';
import { raw } from '../operation.js';

const MAX_SECONDS = 60;

export const heapSnapshot = raw({
  summary: 'V8 heap snapshot of the server process (open in Chrome DevTools, Memory)',
  tags: ['debug'],
  responseContentType: 'application/octet-stream',
  async handle({ deps }) {
    // Taking the snapshot pauses the process for a moment and holds about the heap's size again
    // while it streams out: an operator's tool, admin-only and off by default.
    deps.log.info('writing a heap snapshot for /debug/pprof/heap');
    const stream = Readable.toWeb(getHeapSnapshot()) as unknown as ReadableStream<Uint8Array>;
    return new Response(stream, { headers: download(`vctp-${stamp(deps.now())}.heapsnapshot`) });
  },
});

export const cpuProfileQuery = z.object({
  seconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SECONDS)
    .default(10)
    .openapi({ description: `How long to sample, 1 to ${MAX_SECONDS} seconds` }),
});

// One profile at a time: a second one would only measure the first one's overhead too.
let profiling = false;

export const cpuProfile = raw({
  summary: 'CPU profile of the server process over ?seconds=N (open in Chrome DevTools, Performance)',
  tags: ['debug'],
  query: cpuProfileQuery,
  responseContentType: 'application/json',
  async handle({ query, deps, request }) {
    if (profiling) throw new VctpError('lock', 'a CPU profile is being taken already; try again when it has finished');
    profiling = true;
    const session = new Session();
    try {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      // The client hanging up or the server shutting down ends the sampling early.
      await sleep(query.seconds * 1000, [request.signal, deps.job.signal]);
      const { profile } = await session.post('Profiler.stop');
      if (deps.job.signal?.aborted) throw new VctpError('interrupted', 'the server is shutting down; the CPU profile was cut short');
      return new Response(JSON.stringify(profile), {
        headers: { ...download(`vctp-${stamp(deps.now())}.cpuprofile`), 'content-type': 'application/json' },
      });
    } finally {
      session.disconnect();
      profiling = false;
    }
  },
});

function download(filename: string): Record<string, string> {
  return {
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
  };
}

/** 2026-04-20T10-15-00Z: an ISO 8601 UTC time that is a valid file name everywhere. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-');
}

function sleep(ms: number, signals: (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve) => {
    const live = signals.filter((s): s is AbortSignal => s !== undefined);
    const done = () => {
      clearTimeout(timer);
      for (const s of live) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of live) {
      if (s.aborted) return done();
      s.addEventListener('abort', done, { once: true });
    }
  });
}
