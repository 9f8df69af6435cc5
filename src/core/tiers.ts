// Resource-pool tiers (README "Aggregation"): a sample's tier comes from its resource pool's
// name, matched case-insensitively against each tier's patterns. Nested pools inherit: the nearest
// pool in the chain that matches decides, so "Gold/App" is Gold.
import { anyGlob, type NameMatcher } from './glob.js';

export const TIERS = ['tin', 'bronze', 'silver', 'gold'] as const;
export type Tier = (typeof TIERS)[number];

export type TierPatterns = Record<Tier, readonly string[]>;

export const DEFAULT_TIER_PATTERNS: TierPatterns = {
  tin: ['Tin'],
  bronze: ['Bronze'],
  silver: ['Silver'],
  gold: ['Gold'],
};

export type TierResolver = (poolChain: readonly string[]) => Tier | null;

export function tierResolver(patterns: TierPatterns = DEFAULT_TIER_PATTERNS): TierResolver {
  const matchers: [Tier, NameMatcher][] = TIERS.map((tier) => [tier, anyGlob(patterns[tier] ?? [])]);
  return (chain) => {
    for (const pool of chain) {
      for (const [tier, matches] of matchers) if (matches(pool)) return tier;
    }
    return null;
  };
}
