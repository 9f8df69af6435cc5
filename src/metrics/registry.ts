// prom-client registries built from MetricFigures: the full one (every family, the spec's labels
// only: /metrics of `vctp serve`) and one per job (what that job's textfile carries, every series
// labelled job="<job>"). A registry is built afresh from durable figures each time, so counters are
// exactly what job_runs says: monotonic across the many short processes a timer starts, never
// carried over from a previous file. No default process metrics: node_exporter has its own.
import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricFigures } from '../core/metric-figures.js';
import { FAMILIES, ownedGroups, type Family } from './families.js';

/** Every family (reports only when the figures have them), spec labels only. */
export function metricsRegistry(figures: MetricFigures): Registry {
  return buildRegistry(FAMILIES, figures, () => true);
}

/**
 * What job `job`'s textfile carries: its own vctp_job_* series and the families it owns, every
 * series labelled job="<job>" so that no two jobs' files carry the same series.
 */
export function jobRegistry(job: string, figures: MetricFigures): Registry {
  const owned = new Set(ownedGroups(job));
  const families = FAMILIES.filter((f) => f.group === 'job' || owned.has(f.group));
  const registry = buildRegistry(families, figures, (family, labels) => family.group !== 'job' || labels.job === job);
  registry.setDefaultLabels({ job });
  return registry;
}

/** The exposition text (Prometheus text format 0.0.4) of a registry. */
export function exposition(registry: Registry): Promise<string> {
  return registry.metrics();
}

function buildRegistry(families: readonly Family[], figures: MetricFigures, keep: (family: Family, labels: Record<string, string>) => boolean): Registry {
  const registry = new Registry();
  for (const family of families) {
    const samples = family
      .samples(figures)
      .filter((s): s is { labels: Record<string, string>; value: number } => s.value !== null && keep(family, s.labels));
    // A family without series is left out: prom-client would print an unlabelled one as 0.
    if (samples.length === 0) continue;
    const config = { name: family.name, help: family.help, labelNames: [...family.labelNames], registers: [registry] };
    if (family.type === 'counter') {
      // A fresh counter is 0; inc(n) makes it the durable figure.
      const counter = new Counter(config);
      for (const s of samples) {
        if (family.labelNames.length === 0) counter.inc(s.value);
        else counter.inc(s.labels, s.value);
      }
    } else {
      const gauge = new Gauge(config);
      for (const s of samples) {
        if (family.labelNames.length === 0) gauge.set(s.value);
        else gauge.set(s.labels, s.value);
      }
    }
  }
  return registry;
}
