// `/snapshots`: the snapshots that were missed (complete UTC days with fewer snapshots than the
// cadence expects, per vCenter) and the snapshot registry: every hourly snapshot, daily and monthly
// summary written, newest first (GET /api/snapshots/missed and GET /api/snapshots as a page).
import { z } from '@hono/zod-openapi';
import { MISSED_DEFAULT_DAYS, MISSED_MAX_DAYS, readMissedSnapshots, type VcenterMissedSnapshots } from '../../queries/missed-snapshots.js';
import { listSnapshots, REGISTRY_KINDS, SNAPSHOT_LIST_DEFAULT_LIMIT, type RegistryRow } from '../../queries/snapshot-registry.js';
import type { MissedSnapshotDay } from '../../queries/status.js';
import { page } from '../operation.js';
import { missedBadge, queryString, table, type Column } from './components.js';
import { count, formatDate, formatTime } from './format.js';
import { h, type Html } from './html.js';
import { layout } from './layout.js';

const MAX_LIMIT = 2000;
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

const query = z.object({
  vcenter: z.preprocess(blankIsAbsent, z.string().max(256).optional()),
  kind: z.preprocess(blankIsAbsent, z.enum(REGISTRY_KINDS as ['hourly', 'daily', 'monthly']).optional()),
  days: z.preprocess(blankIsAbsent, z.coerce.number().int().min(1).max(MISSED_MAX_DAYS).default(MISSED_DEFAULT_DAYS)),
  limit: z.preprocess(blankIsAbsent, z.coerce.number().int().min(1).max(MAX_LIMIT).default(SNAPSHOT_LIST_DEFAULT_LIMIT)),
});

export const snapshotsPage = page({
  title: 'Snapshots',
  query,
  async render({ query: q, deps }) {
    // The registry query checks the vCenter name first, so an unknown one is refused before the rest.
    const list = await listSnapshots(deps.query, { ...(q.vcenter ? { vcenters: [q.vcenter] } : {}), ...(q.kind ? { kinds: [q.kind] } : {}), limit: q.limit });
    const missedReport = await readMissedSnapshots(deps.query, deps.settings, q.days);
    const missed = missedReport.vcenters.filter((v) => !q.vcenter || v.vcenter === q.vcenter);
    const body = h`<p class="lede">Missed snapshots: complete UTC days of the last ${count(q.days)} with fewer snapshots than the cadence (every ${count(deps.settings.vcenter_inventory_snapshot_seconds)} s) expects.${q.vcenter ? h` vCenter ${q.vcenter} only (<a href="/snapshots">all vCenters</a>).` : ''}</p>
${filterForm(q)}
<h2>Missed snapshots</h2>
${missed.length === 0 ? h`<p class="muted">No vCenter yet.</p>` : missed.map(missedSection)}
<h2>Snapshot registry</h2>
<p class="muted">Every snapshot and summary written${q.kind ? ` (${q.kind} only)` : ''}, newest first${list.truncated ? `: the latest ${count(list.limit)} shown` : ''}.${list.truncated ? h` <a href="/snapshots${queryString({ vcenter: q.vcenter, kind: q.kind, days: q.days, limit: Math.min(MAX_LIMIT, list.limit * 5) })}">Show more</a>` : ''}</p>
${list.snapshots.length === 0 ? h`<p class="notice">No snapshot registered yet.</p>` : table('Snapshot registry', registryColumns, list.snapshots, { tall: true })}`;
    return layout({ title: 'Snapshots', active: '/snapshots', body });
  },
});

function filterForm(q: z.infer<typeof query>): Html {
  const kinds = ['', ...REGISTRY_KINDS].map((k) =>
    k === (q.kind ?? '') ? h`<option value="${k}" selected>${k || 'all'}</option>` : h`<option value="${k}">${k || 'all'}</option>`,
  );
  return h`<form class="inline" method="get" action="/snapshots">
<label>vCenter (empty: all)<input type="text" name="vcenter" value="${q.vcenter ?? ''}" maxlength="256"></label>
<label>Registry kind<select name="kind">${kinds}</select></label>
<label>Missed: days (1 to ${MISSED_MAX_DAYS})<input type="number" name="days" min="1" max="${MISSED_MAX_DAYS}" value="${q.days}" required></label>
<label>Registry rows (1 to ${MAX_LIMIT})<input type="number" name="limit" min="1" max="${MAX_LIMIT}" value="${q.limit}" required></label>
<button type="submit">Show</button>
</form>`;
}

const missedColumns: Column<MissedSnapshotDay>[] = [
  { head: 'Day', cell: (d) => d.day },
  { head: 'Snapshots', num: true, cell: (d) => count(d.present) },
  { head: 'Expected', num: true, cell: (d) => count(d.expected) },
  { head: 'Missed', num: true, cell: (d) => count(d.missing) },
  { head: 'Counted from', cell: (d) => (d.source === 'summary' ? 'daily summary' : 'snapshots (not aggregated yet)') },
];

function missedSection(v: VcenterMissedSnapshots): Html {
  const checked = v.daysChecked === 0 ? 'no complete day to check yet' : `${v.from} to ${v.to} (${count(v.daysChecked)} day${v.daysChecked === 1 ? '' : 's'})`;
  return h`<h3>${v.vcenter}${v.configured ? '' : h` <span class="badge">not configured</span>`} ${missedBadge(v)}</h3>
<p class="muted">Checked ${checked}.</p>
${v.days.length ? table(`Days with missed snapshots, ${v.vcenter}`, missedColumns, v.days) : ''}`;
}

const registryColumns: Column<RegistryRow>[] = [
  { head: 'vCenter', cell: (r) => r.vcenter },
  { head: 'Kind', cell: (r) => r.kind },
  { head: 'Snapshot / period', cell: (r) => (r.kind === 'hourly' ? formatTime(r.snapshotTime) : r.kind === 'daily' ? formatDate(r.snapshotTime) : formatDate(r.snapshotTime).slice(0, 7)) },
  { head: 'Rows', num: true, cell: (r) => count(r.rows) },
  {
    head: 'Samples',
    num: true,
    cell: (r) => (r.expectedSamples === null || r.totalSamples === null ? '-' : `${count(r.totalSamples)}/${count(r.expectedSamples)}`),
    cellClass: (r) => (r.expectedSamples !== null && r.totalSamples !== null && r.totalSamples < r.expectedSamples ? 'changed' : undefined),
  },
  { head: 'Took', num: true, cell: (r) => `${count(r.durationMs)} ms` },
  { head: 'Written', cell: (r) => formatTime(r.registeredAt) },
];
