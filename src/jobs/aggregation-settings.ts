// What aggregation reads from the settings, and which engine a run uses.
import type { ChargeRuleSettings } from '../core/charge-rules.js';
import { VctpError } from '../core/errors.js';
import type { RateCardSetting } from '../core/rate-cards.js';

export type EngineName = 'app' | 'sql';

export interface AggregationSettings extends ChargeRuleSettings {
  vcenter_inventory_snapshot_seconds: number;
  scheduled_aggregation_engine: EngineName;
  monthly_aggregation_source: 'daily' | 'hourly';
  /** settings.rate_cards (validated, in valid_from order); absent or empty: no cost (cost columns 0). */
  rate_cards?: readonly RateCardSetting[];
}

/**
 * --engine wins; then the spec's env flags for manual runs (DAILY_AGG_GO / _SQL, MONTHLY_AGG_...);
 * then settings.scheduled_aggregation_engine (`go` in the file means `app`).
 */
export function chooseEngine(flag: string | undefined, envChoice: EngineName | undefined, settings: AggregationSettings): EngineName {
  if (flag !== undefined) {
    if (flag !== 'app' && flag !== 'sql') throw new VctpError('usage', `--engine ${flag}: expected app or sql`);
    return flag;
  }
  return envChoice ?? settings.scheduled_aggregation_engine;
}
