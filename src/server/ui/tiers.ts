// One colour per tier for every chart, legend and table swatch of the UI, so a tier reads the same
// everywhere: the colours and dash kinds are src/core/tier-colours.ts, shared with the workbooks'
// charts; this module adds the labels and the SVG dash arrays.
import { GROUP_LABELS } from '../../core/report-totals.js';
import { TIER_COLOUR_KEYS, TIER_COLOURS, type TierColourKey, type TierDash } from '../../core/tier-colours.js';

export type TierKey = TierColourKey;

export interface TierStyle {
  key: TierKey;
  label: string;
  colour: string;
  /** SVG stroke-dasharray, or undefined for a solid line. */
  dash?: string;
}

/** SVG stroke-dasharray of each dash kind, for lines 2 px wide. */
const SVG_DASH: Record<TierDash, string | undefined> = { solid: undefined, dash: '7 4', dot: '2 3' };

export const TIER_STYLES: readonly TierStyle[] = TIER_COLOUR_KEYS.map((key) => {
  const { colour, dash } = TIER_COLOURS[key];
  const dashArray = SVG_DASH[dash];
  return dashArray === undefined ? { key, label: GROUP_LABELS[key], colour } : { key, label: GROUP_LABELS[key], colour, dash: dashArray };
});

export function tierStyle(key: TierKey): TierStyle {
  return TIER_STYLES.find((t) => t.key === key)!;
}

/** Colours of the measures that are not tiers. */
export const MEASURE_COLOURS = {
  vms: '#1f2937',
  charged: '#2563eb',
  vcpu: '#2563eb',
  ram: '#0f766e',
  disk: '#b4235a',
} as const;
