// One colour per tier, the same in the web UI's charts, legends and swatches and in the XLSX
// workbooks' native charts. Chosen for 3:1 contrast on white; Silver and No tier are also dashed
// (dash) and dotted (dot) so that their lines stay apart without colour vision. Each renderer maps
// the dash kind to its own notation (SVG stroke-dasharray, DrawingML a:prstDash).
import type { Tier } from './tiers.js';

/** The tiers of src/core/tiers.ts and the VMs that match none (GROUP_LABELS' `untiered`). */
export type TierColourKey = Tier | 'untiered';

export type TierDash = 'solid' | 'dash' | 'dot';

export interface TierColour {
  /** `#rrggbb`, lower case. */
  colour: string;
  dash: TierDash;
}

/** In display order: the tiers from cheapest to dearest, then No tier. */
export const TIER_COLOUR_KEYS: readonly TierColourKey[] = ['tin', 'bronze', 'silver', 'gold', 'untiered'];

export const TIER_COLOURS: Readonly<Record<TierColourKey, TierColour>> = {
  tin: { colour: '#4f7a94', dash: 'solid' },
  bronze: { colour: '#a0592a', dash: 'solid' },
  silver: { colour: '#6e7885', dash: 'dash' },
  gold: { colour: '#b08000', dash: 'solid' },
  untiered: { colour: '#8e4fa8', dash: 'dot' },
};

export function isTierColourKey(key: unknown): key is TierColourKey {
  return typeof key === 'string' && Object.hasOwn(TIER_COLOURS, key);
}
