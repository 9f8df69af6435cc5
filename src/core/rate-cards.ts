// Rate cards (settings.rate_cards) as aggregation prices them: integer micro-currency prices per
// tier, the card valid at a time, and a period cut into pieces that one card and one month price.
// Prices are kept as integers (1 = one millionth of the currency) so that every cost is an exact
// integer sum until its one final division (src/core/cost.ts).
import { daysInMonthOf, monthStartOf, nextMonthStartOf } from './periods.js';
import { TIERS, type Tier } from './tiers.js';

/** Tiers a card prices: the four pool tiers and `none` (a VM in no tiered pool). */
export const PRICE_TIERS = [...TIERS, 'none'] as const;
export type PriceTier = (typeof PRICE_TIERS)[number];

export const MICRO_PER_UNIT = 1_000_000;

/** One tier's prices in micro-currency per `per`: per vCPU, per GiB of RAM, per GiB of disk, per VM. */
export interface MicroPrices {
  vcpu: number;
  ramGb: number;
  diskGb: number;
  vm: number;
}

/** A card as written in the settings (prices in currency units, at most 6 decimals). */
export interface RateCardSetting {
  valid_from: string;
  currency: string;
  per: 'month' | 'hour';
  tiers: Partial<Record<PriceTier, { vcpu: number; ram_gb: number; disk_gb: number; vm: number }>>;
  templates: number;
  srm_placeholders: number;
  node_charged: number;
}

export interface RateCard {
  /** The settings entry's index, for messages and `vctp explain`. */
  index: number;
  /** 00:00 UTC of valid_from, unix seconds. */
  validFrom: number;
  validFromLabel: string;
  currency: string;
  per: 'month' | 'hour';
  tiers: Record<PriceTier, MicroPrices>;
  template: number;
  srmPlaceholder: number;
  nodeCharged: number;
}

const FREE: MicroPrices = { vcpu: 0, ramGb: 0, diskGb: 0, vm: 0 };

/** A price in currency units -> integer micro-currency (settings validation allows 6 decimals). */
export function microPrice(price: number): number {
  return Math.round(price * MICRO_PER_UNIT);
}

/** Parses a `YYYY-MM-DD` day as 00:00 UTC; null when it is not a real calendar day. */
export function parseUtcDay(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms / 1000;
}

/** Cards from validated settings (ordered by valid_from: settings-rules.ts refuses any other order). */
export function rateCardsFromSettings(cards: readonly RateCardSetting[]): RateCard[] {
  return cards.map((card, index) => {
    const tiers = {} as Record<PriceTier, MicroPrices>;
    for (const tier of PRICE_TIERS) {
      const given = card.tiers[tier];
      tiers[tier] = given
        ? { vcpu: microPrice(given.vcpu), ramGb: microPrice(given.ram_gb), diskGb: microPrice(given.disk_gb), vm: microPrice(given.vm) }
        : FREE;
    }
    return {
      index,
      validFrom: parseUtcDay(card.valid_from) ?? Number.NaN,
      validFromLabel: card.valid_from,
      currency: card.currency,
      per: card.per,
      tiers,
      template: microPrice(card.templates),
      srmPlaceholder: microPrice(card.srm_placeholders),
      nodeCharged: microPrice(card.node_charged),
    };
  });
}

/** The card valid at `time` (the last one whose valid_from is not after it), if any. */
export function cardAt(cards: readonly RateCard[], time: number): RateCard | undefined {
  let found: RateCard | undefined;
  for (const card of cards) {
    if (card.validFrom <= time) found = card;
    else break;
  }
  return found;
}

export function tierPrices(card: RateCard, tier: Tier | null): MicroPrices {
  return card.tiers[tier ?? 'none'];
}

/**
 * A piece of a period priced by one card inside one month: [start, end). `scale` turns the card's
 * prices into per-month prices for this month (1 for `per: month`, the month's hours for `per: hour`).
 */
export interface PricingSegment {
  start: number;
  end: number;
  card: RateCard | undefined;
  scale: number;
  /** 00:00 UTC of the 1st of the segment's month, and its length in days. */
  month: number;
  monthDays: number;
}

/** Cuts [start, end) at every card's valid_from and every month boundary, in time order. */
export function pricingSegments(cards: readonly RateCard[], start: number, end: number): PricingSegment[] {
  const cuts = new Set<number>([start, end]);
  for (const card of cards) if (card.validFrom > start && card.validFrom < end) cuts.add(card.validFrom);
  for (let m = nextMonthStartOf(start); m < end; m = nextMonthStartOf(m)) cuts.add(m);
  const bounds = [...cuts].sort((a, b) => a - b);
  const segments: PricingSegment[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const card = cardAt(cards, from);
    const days = daysInMonthOf(from);
    segments.push({
      start: from,
      end: bounds[i + 1]!,
      card,
      scale: card?.per === 'hour' ? 24 * days : 1,
      month: monthStartOf(from),
      monthDays: days,
    });
  }
  return segments;
}
