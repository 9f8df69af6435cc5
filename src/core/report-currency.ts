// Whether reports show cost, and in which currency: the rate cards' (settings.rate_cards, all of one
// currency, validated at load). No card: no cost columns or Cost sheets at all, rather than columns
// of zeros that would read as "free".

export interface CostSetting {
  /** ISO 4217 code as the settings write it (EUR), in every cost header: `Cost total (EUR)`. */
  currency: string;
}

/** The reports' cost setting, or null when no rate card is configured. */
export function reportCost(settings: { rate_cards?: readonly { currency: string }[] | undefined }): CostSetting | null {
  const card = settings.rate_cards?.[0];
  return card === undefined ? null : { currency: card.currency };
}
