// Line charts as inline SVG, drawn on the server: no script and no library reaches the browser.
// Pure: series in, markup out. The value axis starts at zero (a chart of 50..56 VMs must not look
// like a tenfold change), time runs left to right in UTC, every text is escaped (hono/html), and
// the chart names itself to screen readers (<title>, <desc> with each series' latest value); the
// page's table beside it holds every number.
import { h, nothing, type Html } from './html.js';

export interface ChartPoint {
  /** Unix seconds. */
  x: number;
  y: number;
}

export interface ChartSeries {
  name: string;
  colour: string;
  /** SVG stroke-dasharray; solid when absent. */
  dash?: string | undefined;
  /** Line width; a wider line drawn first still shows under a later one with the same values. */
  width?: number | undefined;
  /** Ascending by x. */
  points: readonly ChartPoint[];
}

export interface LineChartInput {
  /** Unique on the page: the <title> and <desc> ids derive from it. */
  id: string;
  title: string;
  /** The value axis' unit, shown above it ("GB", "VMs"). */
  unit?: string;
  series: readonly ChartSeries[];
  /** Day ticks ("Apr 19") or, over short spans, hour ticks too. */
  xKind: 'day' | 'time';
  /** A step between two points longer than this (seconds) breaks the line: a gap stays a gap. */
  maxGap?: number;
  /** Decimals of the values in <desc> and point tooltips. */
  digits?: number;
  /** Whole-number values (VM counts of snapshots): no tick between two whole numbers. */
  integer?: boolean;
}

/** The drawing's box (viewBox units); the CSS scales it to its column. */
export const CHART_WIDTH = 400;
const PLOT_TOP = 44;
const PLOT_HEIGHT = 170;
const MARGIN_LEFT = 50;
const MARGIN_RIGHT = 14;
const AXIS_LABEL_SPACE = 26;
const LEGEND_ROW = 20;
const FONT = 13;
/** Above this many points a series is a line only: markers would merge into a blur. */
const MAX_MARKERS = 62;

const HOUR = 3600;
const DAY = 86_400;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Ticks step * k from zero up to at least `max`, about five of them, on 1/2/2.5/5 x 10^n steps
 * (whole steps only when `integer`).
 */
export function valueTicks(max: number, integer = false): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const rough = top / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const nice = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const step = integer ? Math.max(1, Math.ceil(nice)) : nice;
  const ticks: number[] = [];
  for (let k = 0; ; k++) {
    const value = Number((k * step).toPrecision(12));
    ticks.push(value);
    if (value >= top) break;
  }
  return ticks;
}

/** Time ticks within [from, to]: whole UTC days (or hours over short spans), at most six. */
export function timeTicks(from: number, to: number, kind: LineChartInput['xKind']): { at: number; label: string }[] {
  const span = Math.max(1, to - from);
  const hourSteps = [1, 2, 3, 6, 12].map((n) => n * HOUR);
  const daySteps = [1, 2, 7, 14, 28, 56, 91, 182, 364].map((n) => n * DAY);
  const steps = kind === 'time' ? [...hourSteps, ...daySteps] : daySteps;
  const step = steps.find((s) => span / s <= 5) ?? steps.at(-1)!;
  // Week steps and longer fall on Mondays' 00:00 (1970-01-05 was one) so that labels do not drift.
  const origin = step >= 7 * DAY ? 4 * DAY : 0;
  const ticks: { at: number; label: string }[] = [];
  for (let at = Math.ceil((from - origin) / step) * step + origin; at <= to; at += step) {
    ticks.push({ at, label: timeLabel(at, step < DAY) });
  }
  return ticks;
}

function timeLabel(unix: number, withHour: boolean): string {
  const d = new Date(unix * 1000);
  const day = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  if (!withHour) return day;
  const hh = String(d.getUTCHours()).padStart(2, '0');
  return d.getUTCHours() === 0 ? day : `${hh}:00`;
}

function valueLabel(value: number, step: number): string {
  const digits = step >= 1 || value === 0 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)) + (String(step).includes('25') ? 1 : 0));
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(value);
}

function pointLabel(p: ChartPoint, digits: number, withHour: boolean): string {
  const iso = new Date(p.x * 1000).toISOString();
  const when = withHour ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso.slice(0, 10);
  return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(p.y)} at ${when}`;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** Legend items flowed into rows across the drawing's width (text width estimated from its length). */
function legendRows(series: readonly ChartSeries[]): ChartSeries[][] {
  const rows: ChartSeries[][] = [[]];
  let used = 0;
  const available = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT + 30;
  for (const s of series) {
    const width = 30 + s.name.length * FONT * 0.6 + 16;
    if (used > 0 && used + width > available) {
      rows.push([]);
      used = 0;
    }
    rows.at(-1)!.push(s);
    used += width;
  }
  return rows;
}

export function lineChart(input: LineChartInput): Html {
  const digits = input.digits ?? 0;
  const all = input.series.flatMap((s) => s.points);
  const titleId = `${input.id}-title`;
  const descId = `${input.id}-desc`;
  const plotLeft = MARGIN_LEFT;
  const plotRight = CHART_WIDTH - MARGIN_RIGHT;
  const plotBottom = PLOT_TOP + PLOT_HEIGHT;
  const rows = legendRows(input.series);
  const legendTop = plotBottom + AXIS_LABEL_SPACE + 8;
  const height = legendTop + rows.length * LEGEND_ROW + 4;

  const desc =
    all.length === 0
      ? 'No data in this period.'
      : input.series
          .map((s) => {
            const last = s.points.at(-1);
            return last ? `${s.name}: ${pointLabel(last, digits, input.xKind === 'time')}` : `${s.name}: no data`;
          })
          .join('; ');
  const head = h`<title id="${titleId}">${input.title}</title><desc id="${descId}">${desc}</desc>`;
  const titleText = h`<text x="${plotLeft - 44}" y="18" font-size="15" font-weight="600" fill="#111827">${input.title}</text>`;
  if (all.length === 0) {
    return h`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_WIDTH} ${plotBottom + 8}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="${FONT}" role="img" aria-labelledby="${titleId} ${descId}">${head}${titleText}<rect x="${plotLeft}" y="${PLOT_TOP}" width="${plotRight - plotLeft}" height="${PLOT_HEIGHT}" fill="#f9fafb" stroke="#e5e7eb"/><text x="${(plotLeft + plotRight) / 2}" y="${PLOT_TOP + PLOT_HEIGHT / 2}" text-anchor="middle" fill="#6b7280">No data in this period</text></svg>`;
  }

  const ticks = valueTicks(Math.max(...all.map((p) => p.y)), input.integer);
  const top = ticks.at(-1)!;
  const step = ticks[1]! - ticks[0]!;
  let xMin = Math.min(...all.map((p) => p.x));
  let xMax = Math.max(...all.map((p) => p.x));
  if (xMin === xMax) {
    // One moment: centre it in a day (or an hour) so that it has a place on the axis.
    const pad = input.xKind === 'day' ? DAY : HOUR;
    xMin -= pad;
    xMax += pad;
  }
  const xOf = (x: number): number => round(plotLeft + ((x - xMin) / (xMax - xMin)) * (plotRight - plotLeft));
  const yOf = (y: number): number => round(plotBottom - (Math.max(0, y) / top) * PLOT_HEIGHT);

  const grid = ticks.map(
    (t) =>
      h`<line stroke="#e5e7eb" x1="${plotLeft}" x2="${plotRight}" y1="${yOf(t)}" y2="${yOf(t)}"/><text fill="#374151" x="${plotLeft - 6}" y="${yOf(t) + 4}" text-anchor="end">${valueLabel(t, step)}</text>`,
  );
  const xTicks = timeTicks(xMin, xMax, input.xKind).map((t) => {
    const x = xOf(t.at);
    // A label at either end of the axis is aligned to stay inside the drawing.
    const half = (t.label.length * FONT * 0.6) / 2;
    const anchor = x + half > CHART_WIDTH - 2 ? 'end' : x - half < 2 ? 'start' : 'middle';
    return h`<line stroke="#6b7280" x1="${x}" x2="${x}" y1="${plotBottom}" y2="${plotBottom + 5}"/><text fill="#374151" x="${x}" y="${plotBottom + 18}" text-anchor="${anchor}">${t.label}</text>`;
  });
  const unit = input.unit ? h`<text fill="#374151" x="${plotLeft - 6}" y="${PLOT_TOP - 10}" text-anchor="end">${input.unit}</text>` : nothing;
  const axes = h`<line stroke="#6b7280" x1="${plotLeft}" x2="${plotLeft}" y1="${PLOT_TOP}" y2="${plotBottom}"/><line stroke="#6b7280" x1="${plotLeft}" x2="${plotRight}" y1="${plotBottom}" y2="${plotBottom}"/>`;

  const lines = input.series.map((s) => {
    const segments: ChartPoint[][] = [];
    s.points.forEach((p, i) => {
      const previous = s.points[i - 1];
      if (!previous || (input.maxGap !== undefined && p.x - previous.x > input.maxGap)) segments.push([]);
      segments.at(-1)!.push(p);
    });
    const d = segments.map((seg) => seg.map((p, i) => `${i === 0 ? 'M' : 'L'}${xOf(p.x)} ${yOf(p.y)}`).join(' ')).join(' ');
    const markAll = s.points.length <= MAX_MARKERS;
    // A point alone between gaps has no line: it gets a marker whatever the count.
    const marked = markAll ? s.points : segments.filter((seg) => seg.length === 1).flat();
    const markers = marked.map(
      (p) => h`<circle cx="${xOf(p.x)}" cy="${yOf(p.y)}" r="2.5" fill="${s.colour}"><title>${s.name}: ${pointLabel(p, digits, input.xKind === 'time')}</title></circle>`,
    );
    return h`<g><path d="${d}" fill="none" stroke="${s.colour}" stroke-width="${s.width ?? 2}" stroke-linejoin="round"${s.dash ? h` stroke-dasharray="${s.dash}"` : nothing}/>${markers}</g>`;
  });

  const legend = rows.map((row, r) => {
    let x = plotLeft - 30;
    const y = legendTop + r * LEGEND_ROW + 10;
    return row.map((s) => {
      const item = h`<g><line x1="${x}" x2="${x + 22}" y1="${y - 4}" y2="${y - 4}" stroke="${s.colour}" stroke-width="3"${s.dash ? h` stroke-dasharray="${s.dash}"` : nothing}/><text x="${x + 27}" y="${y}">${s.name}</text></g>`;
      x += 30 + s.name.length * FONT * 0.6 + 16;
      return item;
    });
  });

  return h`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="${FONT}" role="img" aria-labelledby="${titleId} ${descId}">${head}${titleText}${unit}${grid}${axes}${xTicks}${lines}<g fill="#111827">${legend}</g></svg>`;
}
