// The UI's SVG line chart (src/server/ui/chart.ts): value axes from zero on round steps, UTC time
// ticks, points placed where their values say, gaps kept, every text escaped, the chart named to
// screen readers, tier colours from the one palette.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHART_WIDTH, lineChart, timeTicks, valueTicks, type ChartSeries, type LineChartInput } from '../../src/server/ui/chart.js';
import { TIER_STYLES } from '../../src/server/ui/tiers.js';

const DAY = 86_400;
const H = 3600;
const D1 = Date.UTC(2026, 3, 19) / 1000; // a Sunday

const render = (input: Partial<LineChartInput> & { series: ChartSeries[] }): string =>
  String(lineChart({ id: 'c', title: 'VMs', xKind: 'day', ...input }));

/** The y of each tick label's text, by label. */
function yTicks(svg: string): Map<string, number> {
  const ticks = new Map<string, number>();
  // Value labels are the end-anchored numbers (a time label at the right edge is end-anchored too).
  for (const m of svg.matchAll(/<text fill="#374151" x="[\d.]+" y="([\d.]+)" text-anchor="end">([\d.,]+)<\/text>/g)) ticks.set(m[2]!, Number(m[1]));
  return ticks;
}

/** Marker centres (cx, cy) in drawing order. */
const markers = (svg: string): [number, number][] => [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);

describe('value ticks', () => {
  it('start at zero and end at or above the largest value, on round steps', () => {
    assert.deepEqual(valueTicks(57), [0, 20, 40, 60]);
    assert.deepEqual(valueTicks(150), [0, 50, 100, 150]);
    assert.deepEqual(valueTicks(1234), [0, 250, 500, 750, 1000, 1250]);
    assert.deepEqual(valueTicks(0.3), [0, 0.1, 0.2, 0.3]);
  });

  it('give an all-zero series an axis of 0 to 1', () => {
    assert.deepEqual(valueTicks(0), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('step by whole numbers for counts', () => {
    assert.deepEqual(valueTicks(2, true), [0, 1, 2]);
    assert.deepEqual(valueTicks(4, true), [0, 1, 2, 3, 4]);
  });
});

describe('time ticks', () => {
  it('mark whole UTC days over days, weeks on Mondays over months', () => {
    assert.deepEqual(timeTicks(D1, D1 + 2 * DAY, 'day').map((t) => t.label), ['Apr 19', 'Apr 20', 'Apr 21']);
    const weeks = timeTicks(D1, D1 + 45 * DAY, 'day');
    assert.ok(weeks.length <= 6 && weeks.length >= 3, `${weeks.length} ticks`);
    assert.ok(weeks.every((t) => new Date(t.at * 1000).getUTCDay() === 1 && t.at % DAY === 0), 'Mondays, 00:00 UTC');
  });

  it('mark hours over a short span, the day at midnight', () => {
    assert.deepEqual(timeTicks(D1, D1 + DAY, 'time').map((t) => t.label), ['Apr 19', '06:00', '12:00', '18:00', 'Apr 20']);
  });
});

describe('line chart', () => {
  const series = (name: string, ys: number[], over: Partial<ChartSeries> = {}): ChartSeries => ({
    name,
    colour: '#123456',
    points: ys.map((y, i) => ({ x: D1 + i * DAY, y })),
    ...over,
  });

  it('is an image named by its title and described by each series latest value', () => {
    const svg = render({ title: 'VMs, vc1', series: [series('All VMs', [3, 4, 3])] });
    assert.match(svg, /^<svg class="chart" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 400 \d+"/);
    assert.match(svg, /role="img" aria-labelledby="c-title c-desc"/);
    assert.match(svg, /<title id="c-title">VMs, vc1<\/title>/);
    assert.match(svg, /<desc id="c-desc">All VMs: 3 at 2026-04-21<\/desc>/);
  });

  it('draws the value axis from zero, whatever the smallest value, and places points by value', () => {
    const svg = render({ series: [series('VMs', [50, 56, 53])] });
    const ticks = yTicks(svg);
    assert.deepEqual([...ticks.keys()], ['0', '20', '40', '60']);
    const zero = ticks.get('0')! - 4;
    const sixty = ticks.get('60')! - 4;
    const [first, second] = markers(svg);
    // y is linear from the 0 tick to the 60 tick: 50 sits 5/6 of the way up, not at the bottom.
    assert.ok(Math.abs(first![1] - (zero + (sixty - zero) * (50 / 60))) < 0.2, `50 at y ${first![1]}`);
    assert.ok(Math.abs(second![1] - (zero + (sixty - zero) * (56 / 60))) < 0.2, `56 at y ${second![1]}`);
    // Time runs left to right across the drawing.
    assert.ok(first![0] < second![0] && second![0] < CHART_WIDTH);
  });

  it('breaks the line where a step is longer than maxGap, and marks a point left alone', () => {
    const points = [0, 1, 2, 5, 7, 8].map((d) => ({ x: D1 + d * DAY, y: 1 }));
    const many = Array.from({ length: 80 }, (_, i) => ({ x: D1 + i * H, y: 2 }));
    const svg = render({ maxGap: 1.5 * DAY, series: [{ name: 'a', colour: '#111111', points }] });
    const path = /<path d="([^"]+)"/.exec(svg)![1]!;
    assert.equal(path.match(/M/g)!.length, 3, path); // days 0-2, day 5, days 7-8
    // Above the marker limit only a lone point keeps its marker.
    const dense = render({ xKind: 'time', maxGap: 1.5 * H, series: [{ name: 'b', colour: '#222222', points: [...many, { x: D1 + 100 * H, y: 2 }] }] });
    assert.equal(markers(dense).length, 1);
  });

  it('escapes every text it is given', () => {
    const svg = render({ title: 'A <b>&</b> "title"', unit: '<i>', series: [series('<script>alert(1)</script>', [1])] });
    assert.ok(!svg.includes('<script>') && !svg.includes('<b>') && !svg.includes('<i>'));
    assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(svg.includes('A &lt;b&gt;&amp;&lt;/b&gt; &quot;title&quot;'));
  });

  it('draws each tier in its palette colour and names it in the legend', () => {
    const tiers = TIER_STYLES.map((t, i) => series(t.label, [i, i + 1], { colour: t.colour, dash: t.dash }));
    const svg = render({ series: tiers });
    for (const t of TIER_STYLES) {
      assert.match(svg, new RegExp(`<path d="[^"]+" fill="none" stroke="${t.colour}"`), `${t.label} line`);
      assert.match(svg, new RegExp(`stroke="${t.colour}" stroke-width="3"${t.dash ? ` stroke-dasharray="${t.dash}"` : ''}/><text x="[\\d.]+" y="[\\d.]+">${t.label}</text>`), `${t.label} legend`);
    }
    assert.equal(new Set(TIER_STYLES.map((t) => t.colour)).size, TIER_STYLES.length, 'one colour per tier');
  });

  it('says so when there is nothing to draw', () => {
    const svg = render({ series: [series('VMs', [])] });
    assert.match(svg, /No data in this period<\/text>/);
    assert.match(svg, /<desc id="c-desc">No data in this period.<\/desc>/);
  });

  it('gives a single moment a place on the axis', () => {
    const svg = render({ series: [series('VMs', [5])] });
    const [[cx]] = markers(svg) as [[number, number]];
    assert.ok(cx > 60 && cx < CHART_WIDTH - 30, `centred, at ${cx}`);
  });
});
