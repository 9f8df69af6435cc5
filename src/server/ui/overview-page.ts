// `/`: is capture working? Per vCenter its latest snapshot's totals, the snapshots missed in the last
// week and the last snapshot job, with links to the totals, snapshots and a VM trace search
// (`vctp status --wide` as a page).
import { readStatus, type VcenterStatus } from '../../queries/status.js';
import { page } from '../operation.js';
import { amount, anchorId, jobBadge, missedBadge, queryString, swatch, tierCounts } from './components.js';
import { count, fixed, formatTime } from './format.js';
import { h, type Html } from './html.js';
import { layout } from './layout.js';
import { TIER_STYLES } from './tiers.js';
import { traceForm } from './trace-form.js';

export const overviewPage = page({
  title: 'Overview',
  async render({ deps }) {
    const status = await readStatus(deps.query, deps.settings);
    const body =
      status.vcenters.length === 0
        ? h`<p class="notice">No vCenter is configured or captured yet: add settings.vcenter_addresses (or settings.vcenters; <code>vctp init</code> writes them) and run <code>vctp snapshot</code>.</p>`
        : h`<p class="lede">The latest snapshot of each vCenter; missed snapshots over the last ${status.missedSnapshotDays} complete days.</p>
<div class="cards">${status.vcenters.map(card)}</div>`;
    const jobs = status.jobs.length
      ? h`<h2>Other jobs</h2><ul>${status.jobs.map((j) => h`<li>${j.job}: ${jobBadge(j.status)} at ${formatTime(j.finishedAt)}${j.error ? h` <span class="muted">(${j.error})</span>` : ''}</li>`)}</ul>`
      : '';
    return layout({
      title: 'Overview',
      active: '/',
      body: h`${body}<h2>Trace a VM</h2>${traceForm({ view: 'hourly' })}${jobs}`,
    });
  },
});

function stat(label: string, value: string): Html {
  return h`<div class="stat"><span class="label">${label}</span><span class="value">${value}</span></div>`;
}

function card(v: VcenterStatus): Html {
  const t = v.totals;
  const job = v.lastSnapshotJob;
  const filter = queryString({ vcenter: v.vcenter });
  const stats = t
    ? h`<div class="stats">${stat('VMs', count(t.vmCount))}${stat('Charged', count(t.chargeableVmCount))}${stat('Powered on', count(t.poweredOnCount))}${stat('vCPU', count(t.vcpuTotal))}${stat('RAM GB', fixed(t.ramGbTotal))}${stat('Disk GB', fixed(t.diskGbTotal))}</div>
<ul class="tiers" aria-label="Charged VMs by tier">${TIER_STYLES.map((s) => h`<li>${swatch(s.colour)}${s.label}: <strong>${amount(tierCounts(t)[s.key])}</strong></li>`)}</ul>`
    : h`<p class="muted">No snapshot captured yet.</p>`;
  const failure =
    job && job.status !== 'ok'
      ? h`<p class="notice error">Last snapshot job ${job.status} at ${formatTime(job.finishedAt)}${job.attempts > 1 ? ` after ${count(job.attempts)} attempts` : ''}${job.error ? `: ${job.error}` : ''}</p>`
      : '';
  const missed = v.missedSnapshots.days.length
    ? h`<ul class="missed-days">${v.missedSnapshots.days.map(
        (d) => h`<li>${d.day}: ${count(d.present)} of ${count(d.expected)} (${count(d.missing)} missed${d.source === 'snapshots' ? ', not aggregated yet' : ''})</li>`,
      )}</ul>`
    : '';
  const id = anchorId('vc', v.vcenter);
  return h`<section class="card" aria-labelledby="${id}">
<h2 id="${id}">${v.vcenter}${v.configured ? '' : h` <span class="badge">not configured</span>`}</h2>
<p class="muted">Latest snapshot: ${formatTime(v.latestSnapshot)} · last run ${jobBadge(job?.status)}</p>
${stats}
<p>Missed snapshots: ${missedBadge(v.missedSnapshots)}</p>
${missed}${failure}
<ul class="links"><li><a href="/vcenters/totals/daily${filter}">Daily totals</a></li><li><a href="/vcenters/totals/hourly${filter}">Hourly totals</a></li><li><a href="/snapshots${filter}">Snapshots</a></li></ul>
</section>`;
}
