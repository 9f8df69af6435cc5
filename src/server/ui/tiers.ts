// One colour per tier for every chart, legend and table swatch of the UI, so a tier reads the same
// everywhere. Chosen for 3:1 contrast on white; Silver and No tier are also dashed so that the
// lines stay apart without colour vision.
import { GROUP_LABELS } from '../../core/report-totals.js';

export type TierKey = 'tin' | 'bronze' | 'silver' | 'gold' | 'untiered';

export interface TierStyle {
  key: TierKey;
  label: string;
  colour: string;
  /** SVG stroke-dasharray, or undefined for a solid line. */
  dash?: string;
}

export const TIER_STYLES: readonly TierStyle[] = [
  { key: 'tin', label: GROUP_LABELS.tin, colour: '#4f7a94' },
  { key: 'bronze', label: GROUP_LABELS.bronze, colour: '#a0592a' },
  { key: 'silver', label: GROUP_LABELS.silver, colour: '#6e7885', dash: '7 4' },
  { key: 'gold', label: GROUP_LABELS.gold, colour: '#b08000' },
  { key: 'untiered', label: GROUP_LABELS.untiered, colour: '#8e4fa8', dash: '2 3' },
];

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
