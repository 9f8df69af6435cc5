// The chargeback-in-money settings: rate_cards, cost_dimensions, report_cost_dimensions (README
// "Cost"). Per-entry shapes here; rules across entries (order, one currency, known names) in
// settings-rules.ts.
import { z } from 'zod';
import { parseDimensionSource, DEFAULT_DIMENSION_VALUE } from '../core/cost-dimensions.js';
import { PRICE_TIERS, parseUtcDay } from '../core/rate-cards.js';
import { list, mapping, nonEmptyStr, oneOf, strWhere } from './schema-helpers.js';
import { YamlScalar } from './yaml-values.js';

const PRICE = 'expected a number >= 0 with at most 6 decimals';

/**
 * A price: a plain decimal as written, >= 0, at most 6 decimals (prices are kept in millionths
 * of the currency, src/core/rate-cards.ts). Checked on the written text, so 0.1 is exactly 0.1.
 */
export function price() {
  return z.preprocess(
    (value) => {
      if (value instanceof YamlScalar && typeof value.value === 'number') {
        return /^\+?[0-9]+(\.[0-9]{0,6})?$/.test(value.source.trim()) ? value.value : PRICE;
      }
      return value;
    },
    z.number({ error: PRICE }).min(0, { error: PRICE }),
  );
}

const unknownKeys = (allowed: readonly string[]) => (issue: { code: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys'
    ? `unknown key ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}; expected ${allowed.join(', ')}`
    : `expected a mapping with ${allowed.join(', ')}`;

const TIER_PRICE_KEYS = ['vcpu', 'ram_gb', 'disk_gb', 'vm'] as const;
const tierPrices = z.preprocess(
  (v) => (v instanceof YamlScalar ? v.value : v),
  z.strictObject(
    {
      vcpu: price().default(0),
      ram_gb: price().default(0),
      disk_gb: price().default(0),
      vm: price().default(0),
    },
    { error: unknownKeys(TIER_PRICE_KEYS) },
  ),
);

const tiers = z.preprocess(
  (v) => (v instanceof YamlScalar ? v.value : v),
  z.strictObject(Object.fromEntries(PRICE_TIERS.map((tier) => [tier, tierPrices.optional()])) as Record<(typeof PRICE_TIERS)[number], z.ZodOptional<typeof tierPrices>>, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown tier ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}; tiers are ${PRICE_TIERS.join(', ')}`
        : 'expected a mapping of tier to prices',
  }),
);

const RATE_CARD_KEYS = ['valid_from', 'currency', 'per', 'tiers', 'templates', 'srm_placeholders', 'node_charged'] as const;

export const rateCardSchema = z.preprocess(
  (v) => (v instanceof YamlScalar ? v.value : v),
  z.strictObject(
    {
      valid_from: strWhere('expected a UTC day YYYY-MM-DD', (v) => parseUtcDay(v) !== null),
      currency: strWhere('expected an ISO 4217 currency code such as EUR', (v) => /^[A-Z]{3}$/.test(v)),
      per: oneOf(['month', 'hour']),
      tiers: tiers.default(() => ({})),
      templates: price().default(0),
      srm_placeholders: price().default(0),
      node_charged: price().default(0),
    },
    { error: unknownKeys(RATE_CARD_KEYS) },
  ),
);

const DIMENSION_NAME = 'expected a name of lower-case letters, digits and _ (starting with a letter)';

export const costDimensionSchema = mapping(
  {
    name: strWhere(DIMENSION_NAME, (v) => /^[a-z][a-z0-9_]{0,62}$/.test(v)),
    from: strWhere(
      'expected custom_attribute:<name>, tag:<category> or "folder_level: N" (N >= 1)',
      (v) => parseDimensionSource(v) !== null,
      'as-written',
    ),
    default: nonEmptyStr(undefined, 'as-written').default(DEFAULT_DIMENSION_VALUE),
  },
  'expected a mapping with name, from and default',
);

export const costSettingsFields = {
  rate_cards: list(rateCardSchema, 'expected a list of rate cards').default(() => []),
  cost_dimensions: list(costDimensionSchema, 'expected a list of cost dimensions').default(() => []),
  report_cost_dimensions: list(strWhere('expected a dimension name', (v) => v.length > 0), 'expected a list of dimension names').default(() => []),
};
