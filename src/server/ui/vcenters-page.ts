// `/vcenters`: every vCenter, configured or only in the database, with its latest totals in one
// table (what GET /api/vcenters answers).
import { readStatus, type VcenterStatus } from '../../queries/status.js';
import { page } from '../operation.js';
import { amount, jobBadge, missedBadge, queryString, table, tierCounts, tierLabel, type Column } from './components.js';
import { count, fixed, formatTime } from './format.js';
import { h } from './html.js';
import { layout } from './layout.js';
import { TIER_STYLES } from './tiers.js';

export const vcentersPage = page({
  title: 'vCenters',
  async render({ deps }) {
    const status = await readStatus(deps.query, deps.settings);
    const dash = (f: (v: NonNullable<VcenterStatus['totals']>) => string) => (v: VcenterStatus) => (v.totals ? f(v.totals) : '-');
    const columns: Column<VcenterStatus>[] = [
      { head: 'vCenter', cell: (v) => h`${v.vcenter}${v.configured ? '' : h` <span class="badge">not configured</span>`}` },
      { head: 'Latest snapshot', cell: (v) => formatTime(v.latestSnapshot) },
      { head: 'VMs', num: true, cell: dash((t) => count(t.vmCount)) },
      { head: 'Charged', num: true, cell: dash((t) => count(t.chargeableVmCount)) },
      { head: 'vCPU', num: true, cell: dash((t) => count(t.vcpuTotal)) },
      { head: 'RAM GB', num: true, cell: dash((t) => fixed(t.ramGbTotal)) },
      { head: 'Disk GB', num: true, cell: dash((t) => fixed(t.diskGbTotal)) },
      ...TIER_STYLES.map((s): Column<VcenterStatus> => ({ head: s.label, num: true, cell: dash((t) => amount(tierCounts(t)[s.key])) })),
      { head: `Missed (${status.missedSnapshotDays} d)`, cell: (v) => missedBadge(v.missedSnapshots) },
      { head: 'Last run', cell: (v) => jobBadge(v.lastSnapshotJob?.status) },
      {
        head: 'Pages',
        cell: (v) => {
          const q = queryString({ vcenter: v.vcenter });
          return h`<a href="/vcenters/totals/daily${q}">daily</a> · <a href="/vcenters/totals/hourly${q}">hourly</a> · <a href="/snapshots${q}">snapshots</a>`;
        },
      },
    ];
    const body =
      status.vcenters.length === 0
        ? h`<p class="notice">No vCenter is configured or captured yet.</p>`
        : h`<p class="lede">Totals of each vCenter's latest snapshot; sizes and tier counts are of charged VMs (templates, SRM placeholders and node-charged VMs are counted apart). Tiers: ${TIER_STYLES.map((s) => h`${tierLabel(s.key)} `)}</p>${table('vCenters and their latest totals', columns, status.vcenters)}`;
    return layout({ title: 'vCenters', active: '/vcenters', body });
  },
});
