// The server's own metrics: requests per route and status, and latency per route. Labelled by
// the route's pattern (/api/report/download/{kind}/{file}), never the raw URL: a label per URL would
// let any client grow the registry without bound. Served by GET /metrics beside the job metrics.
import { Counter, Histogram, Registry } from 'prom-client';

/** Seconds; from a cached read (~1 ms) to a report download or an admin job (tens of seconds). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The route label of requests no route matched. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface RequestMetrics {
  registry: Registry;
  observe(method: string, route: string, status: number, seconds: number): void;
}

export function createRequestMetrics(): RequestMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'vctp_http_requests_total',
    help: 'HTTP requests answered by vctp serve, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'vctp_http_request_duration_seconds',
    help: 'Time from a request arriving to its response headers, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observe(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
  };
}
