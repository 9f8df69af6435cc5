// Pieces several pages share: tables that scroll sideways on a phone, figures around charts,
// tier swatches, the missed-snapshot badge.
import type { VcenterTotals } from '../../core/totals.js';
import type { MissedSnapshots } from '../../queries/status.js';
import { count, fixed } from './format.js';
import { h, nothing, type Html } from './html.js';
import { TIER_STYLES, type TierKey } from './tiers.js';

export interface Column<T> {
  head: string;
  /** Right-aligned, tabular figures. */
  num?: boolean;
  cell(row: T): Html | string | number;
  /** A class for the cell (e.g. "changed"). */
  cellClass?(row: T): string | undefined;
}

/**
 * A table in its own horizontal scroller (a phone scrolls the table, not the page). The scroller
 * is a labelled, focusable region so that a keyboard can scroll it too.
 */
export function table<T>(caption: string, columns: readonly Column<T>[], rows: readonly T[], options: { tall?: boolean; id?: string } = {}): Html {
  const head = columns.map((c) => (c.num ? h`<th scope="col" class="num">${c.head}</th>` : h`<th scope="col">${c.head}</th>`));
  const body = rows.map(
    (row) =>
      h`<tr>${columns.map((c) => {
        const classes = [c.num ? 'num' : '', c.cellClass?.(row) ?? ''].filter(Boolean).join(' ');
        return classes ? h`<td class="${classes}">${c.cell(row)}</td>` : h`<td>${c.cell(row)}</td>`;
      })}</tr>`,
  );
  return h`<div class="table-scroll${options.tall ? ' tall' : ''}" role="region" aria-label="${caption}" tabindex="0"${options.id ? h` id="${options.id}"` : nothing}><table><caption>${caption}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

export function chartGrid(charts: readonly Html[]): Html {
  return h`<div class="charts">${charts.map((c) => h`<figure class="chart-box">${c}</figure>`)}</div>`;
}

export function swatch(colour: string): Html {
  return h`<span class="swatch" style="background:${colour}" aria-hidden="true"></span>`;
}

/** A tier name with its colour. */
export function tierLabel(key: TierKey): Html {
  const style = TIER_STYLES.find((t) => t.key === key)!;
  return h`${swatch(style.colour)}${style.label}`;
}

/** The tier VM counts of a totals row, in tier order. */
export function tierCounts(t: VcenterTotals): Record<TierKey, number> {
  return { tin: t.tinVmCount, bronze: t.bronzeVmCount, silver: t.silverVmCount, gold: t.goldVmCount, untiered: t.untieredVmCount };
}

/** A whole number as is; a prorated one (daily, monthly) with two decimals. */
export function amount(n: number): string {
  return Number.isInteger(n) ? count(n) : fixed(n, 2);
}

/** "none missed" or "5 missed on 2 days" over the days checked. */
export function missedBadge(m: MissedSnapshots): Html {
  if (m.daysChecked === 0) return h`<span class="badge">no complete day yet</span>`;
  if (m.missing === 0) return h`<span class="badge ok">none missed</span>`;
  const days = m.days.length;
  return h`<span class="badge warn">${count(m.missing)} missed on ${count(days)} day${days === 1 ? '' : 's'}</span>`;
}

export function jobBadge(status: string | undefined): Html {
  if (status === undefined) return h`<span class="badge">no run yet</span>`;
  const kind = status === 'ok' ? 'ok' : status === 'running' ? '' : 'bad';
  return h`<span class="badge ${kind}">${status}</span>`;
}

/** ?a=1&b=2 from the values that are set. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** An element id from a name (vCenter host names may hold any character). */
export function anchorId(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
