// GET /api/allocation: what `vctp allocation --json` prints. The answer is built in its final JSON
// shape by the query (snake_case fields, ISO times, tiers in lower case as the issue fixes them)
// and sent as it is: toJsonShape, which every other answer goes through, would spell the tiers
// `Gold` and `No tier`. Sent with an ETag (a hash of the bytes), so a client holding it gets a 304.
import { z } from '@hono/zod-openapi';
import { WINDOW_FORMS } from '../../core/allocation-window.js';
import { BUILT_IN_DIMENSIONS } from '../../core/cost-dimensions.js';
import { readAllocation } from '../../queries/allocation.js';
import { cachedResponse, contentTag } from '../http-cache.js';
import { operation } from '../operation.js';
import { listParam } from './read-schemas.js';

const money = z
  .object({ vcpu: z.number(), ram: z.number(), disk: z.number(), vm: z.number(), total: z.number().openapi({ description: '((vcpu + ram) + disk) + vm' }) })
  .openapi('AllocationCost', { description: 'Cost in the rate cards\' currency; 0 without rate cards' });

const figures = {
  vms: z.number().int().openapi({ description: 'VMs present in at least one snapshot of the window' }),
  prorated_vms: z.number().openapi({ description: 'Sum of the VMs\' presence: samples present / the window\'s snapshots (AvgIsPresent)' }),
  avg_vcpu: z.number().openapi({ description: 'Sum of the VMs\' average vCPU count over the window (sum of vCPU samples / snapshots)' }),
  avg_ram_gb: z.number(),
  avg_disk_gb: z.number().openapi({ description: 'Provisioned disk, GiB' }),
  cost: money,
};

const row = z
  .object(figures)
  .catchall(z.string())
  .openapi('AllocationRow', {
    description:
      'One group: each dimension of `by` by its name with the VMs\' value (as of their latest snapshot in the window; `unassigned` or the configured default when a VM has none; tier in lower case, `none` for no tier), ' +
      'and for `vm` also `vm_id` and `vcenter`; then the figures, summed over the group\'s VMs',
    example: { tenant: 'acme', tier: 'gold', vms: 12, prorated_vms: 11.5, avg_vcpu: 46, avg_ram_gb: 184, avg_disk_gb: 2300, cost: { vcpu: 920, ram: 920, disk: 230, vm: 23, total: 2093 } },
  });

export const allocation = operation({
  summary: 'Cost and prorated size of the VMs of a window, by any dimensions (vctp allocation)',
  description:
    'The VMs present in the window\'s snapshots, grouped by the `by` dimensions; rows by cost, highest first. ' +
    'A window that is one ended month reads that month\'s monthly summaries (the vCenters aggregated for it); other windows are computed from the hourly history. ' +
    'A VM counts under its values at its latest snapshot in the window, its cost priced snapshot by snapshot (each with its own rate card and tier).',
  tags: ['allocation'],
  query: z.object({
    window: z.string().min(1).openapi({ description: `The window (UTC days): ${WINDOW_FORMS}`, example: 'lastmonth' }),
    by: z.string().min(1).openapi({ description: `Comma-separated dimensions: ${BUILT_IN_DIMENSIONS.join(', ')}, or a name from settings.cost_dimensions`, example: 'tenant,tier' }),
    vcenter: listParam('Only these vCenters', 'vc1.example.com'),
  }),
  response: z
    .object({
      window: z
        .object({
          start: z.string().openapi({ description: '00:00 UTC of the first day, ISO 8601', example: '2026-03-01T00:00:00Z' }),
          end: z.string().openapi({ description: 'Exclusive: 00:00 UTC after the last day', example: '2026-04-01T00:00:00Z' }),
        })
        .openapi({ description: 'The window, [start, end)' }),
      period: z.string().openapi({ description: 'The window for people, inclusive days', example: '2026-03-01 to 2026-03-31' }),
      days: z.number().int(),
      by: z.array(z.string()),
      currency: z.string().nullable().openapi({ description: 'The rate cards\' currency; null without rate cards', example: 'EUR' }),
      sources: z.array(
        z.object({
          vcenter: z.string(),
          source: z.enum(['monthly_summary', 'spans']).openapi({ description: 'monthly_summary: the month\'s stored summaries; spans: computed from the hourly history' }),
          total_samples: z.number().int().openapi({ description: 'The vCenter\'s snapshots in the window' }),
          vms: z.number().int(),
        }),
      ),
      rows: z.array(row),
      total: z.object(figures).openapi({ description: 'Every VM of the window: the sum of its rows' }),
    })
    .openapi('Allocation'),
  async handle({ query, deps, request }) {
    const result = await readAllocation(deps.query, deps.settings, { window: query.window, by: query.by, vcenters: query.vcenter });
    const body = JSON.stringify(result);
    return cachedResponse(request, body, { etag: contentTag(body), 'content-type': 'application/json' });
  },
});
