// GET /metrics: the job metrics the textfiles carry (one registry for every family, read afresh
// from the database: src/metrics/registry.ts) and the server's own request metrics, in one
// exposition. Public, as in the spec, so its cost is bounded whoever calls it: scrapes that
// arrive while the figures are being read share that read, and figures younger than
// FIGURES_MAX_AGE_MS are reused (a year of job_runs takes 130-170 ms to count: README "Measured"),
// so a client in a loop costs the database one read per interval, not one per request.
import { Registry } from 'prom-client';
import type { MetricFigures } from '../../core/metric-figures.js';
import { metricsRegistry } from '../../metrics/registry.js';
import { readServerMetricFigures } from '../../queries/metric-figures.js';
import type { ServerDeps } from '../deps.js';
import { raw } from '../operation.js';

/** Shorter than any sensible scrape interval (15 s and up): every scrape sees new figures. */
const FIGURES_MAX_AGE_MS = 5_000;

interface FiguresReader {
  read(): Promise<MetricFigures>;
}

const readers = new WeakMap<ServerDeps, FiguresReader>();

function readerFor(deps: ServerDeps): FiguresReader {
  let reader = readers.get(deps);
  if (!reader) {
    reader = sharedReader(() => readServerMetricFigures(deps.query, deps.settings));
    readers.set(deps, reader);
  }
  return reader;
}

/** One read in flight at a time, its result kept FIGURES_MAX_AGE_MS (a monotonic clock: not the wall clock tests fix). */
function sharedReader(read: () => Promise<MetricFigures>): FiguresReader {
  let inFlight: Promise<MetricFigures> | null = null;
  let last: { figures: MetricFigures; at: number } | null = null;
  return {
    read() {
      if (last && performance.now() - last.at < FIGURES_MAX_AGE_MS) return Promise.resolve(last.figures);
      inFlight ??= read()
        .then((figures) => {
          last = { figures, at: performance.now() };
          return figures;
        })
        .finally(() => {
          inFlight = null;
        });
      return inFlight;
    },
  };
}

export const metrics = raw({
  summary: 'Prometheus metrics: the jobs\' (as in the textfiles) and this server\'s requests',
  description:
    'Prometheus text format 0.0.4. The vctp_* job families are recounted from the database (job_runs, snapshot_registry) and the reports directory, ' +
    'at most every 5 seconds; vctp_http_* count the requests this process has answered since it started.',
  tags: ['operations'],
  responseContentType: 'text/plain; version=0.0.4',
  async handle({ deps }) {
    const figures = await readerFor(deps).read();
    const registry = Registry.merge([metricsRegistry(figures), deps.requestMetrics.registry]);
    return new Response(await registry.metrics(), {
      headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
    });
  },
});
