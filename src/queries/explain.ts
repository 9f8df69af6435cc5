// `vctp explain VM --day D | --month M`: finds the VM (as `vctp trace` does: name, managed object
// id or uuid), reads its spans in the period, the vCenter's sample times and its stored summary row,
// and recomputes the row with every term shown (src/core/explain.ts). A closed month is priced with
// the rate cards recorded when it was closed, not today's settings.
import { chargeRules, type ChargeRuleSettings } from '../core/charge-rules.js';
import { VctpError } from '../core/errors.js';
import { explainVm, type Explanation } from '../core/explain.js';
import { closureAt } from '../core/month-closure.js';
import { dayPeriod, monthPeriod, monthStartOf, nextMonthStartOf, type Period } from '../core/periods.js';
import { parseUtcDay, rateCardsFromSettings, type RateCardSetting } from '../core/rate-cards.js';
import { readExplainSpans, readStoredSummary } from '../store/explain-repository.js';
import { readClosuresIn } from '../store/month-closure-repository.js';
import { readSampleTimes, SUMMARY_TABLE } from '../store/summary-repository.js';
import { findTraceTargets, type TraceTarget } from '../store/trace-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import type { QueryContext } from './context.js';

export interface ExplainSettings extends ChargeRuleSettings {
  rate_cards: readonly RateCardSetting[];
}

export interface ExplainRequest {
  vm: string;
  day?: string;
  month?: string;
  vcenter?: string;
}

export interface ExplainResult extends Explanation {
  vcenter: string;
  vmId: string;
  inventoryId: number;
  /** The VM's name at its latest sample of the period (or its latest span). */
  name: string;
  currency: string | null;
  /** `settings.rate_cards`, or the closed month's recorded cards (month_closures.rate_cards). */
  cardsSource: string;
  /** The cards the costs were priced with, as the settings (or the closure) give them; `card` indexes refer to this list. */
  rateCards: RateCardSetting[];
  storedTable: string;
}

export async function explainVmPeriod(ctx: QueryContext, settings: ExplainSettings, request: ExplainRequest): Promise<ExplainResult> {
  if ((request.day === undefined) === (request.month === undefined)) throw new VctpError('usage', 'explain: give --day YYYY-MM-DD or --month YYYY-MM (one of them)');
  const period: Period = request.day !== undefined ? dayOf(request.day) : monthPeriod(request.month!);
  const vm = request.vm.trim();
  if (vm === '') throw new VctpError('usage', 'explain: the VM argument is empty; give a name, managed object id (vm-42) or uuid');

  const known = await listVcenters(ctx.store);
  const vcenters = request.vcenter === undefined ? known : known.filter((v) => v.name === request.vcenter);
  if (vcenters.length === 0) {
    throw new VctpError('usage', `--vcenter ${request.vcenter}: no snapshots of such a vCenter (known: ${known.map((v) => v.name).join(', ') || 'none'})`);
  }
  const where = request.vcenter === undefined ? '' : ` in vCenter ${request.vcenter}`;
  const targets = await findTraceTargets(ctx.store, vm, vcenters.map((v) => v.id));
  if (targets.length === 0) throw new VctpError('not-found', `unknown VM "${vm}"${where}: it is no VM's name, managed object id (vm-42) or uuid in the snapshots`);

  // Only the VMs with something in the period: a name reused by another VM in another month is no ambiguity.
  const inPeriod: { target: TraceTarget; spans: Awaited<ReturnType<typeof readExplainSpans>> }[] = [];
  for (const target of targets) {
    const spans = await readExplainSpans(ctx.store, target.vcenterId, target.lifecycleId, period.start, period.end);
    const seen = spans.length > 0 || (await readStoredSummary(ctx.store, period.kind, target.vcenterId, target.lifecycleId, period.start)) !== null;
    if (seen) inPeriod.push({ target, spans });
  }
  if (inPeriod.length === 0) {
    const list = targets.map((t) => `${t.vcenter}/${t.vmId}`).join(', ');
    throw new VctpError('not-found', `"${vm}"${where} (${list}) has no samples and no summary in ${period.label}`);
  }
  if (inPeriod.length > 1) {
    const list = inPeriod.map(({ target: t }) => `${t.vcenter}/${t.vmId} (inventory id ${t.lifecycleId})`).join(', ');
    throw new VctpError('usage', `"${vm}"${where} names ${inPeriod.length} VMs in ${period.label}: ${list}; give its managed object id with --vcenter, or its uuid`);
  }
  const { target, spans } = inPeriod[0]!;

  const closure = closureAt(await readClosuresIn(ctx.store, monthStartOf(period.start), nextMonthStartOf(period.start)), period.start);
  const cardSettings = closure ? recordedCards(closure.rateCards, closure.label) : [...settings.rate_cards];
  const cards = rateCardsFromSettings(cardSettings);
  const times = await readSampleTimes(ctx.store, target.vcenterId, period.start, period.end);
  const stored = await readStoredSummary(ctx.store, period.kind, target.vcenterId, target.lifecycleId, period.start);
  const rules = chargeRules(settings);
  const explanation = explainVm({ period, times, spans, cards, chargeSettings: settings, classify: rules.classify, stored });
  return {
    vcenter: target.vcenter,
    vmId: target.vmId,
    inventoryId: target.lifecycleId,
    name: spans.at(-1)?.name ?? target.vmId,
    currency: cardSettings[0]?.currency ?? null,
    cardsSource: closure
      ? `the rate cards recorded when ${closure.label} was closed (by ${closure.closedBy}; month_closures.rate_cards), not today's settings`
      : 'settings.rate_cards',
    rateCards: cardSettings,
    storedTable: SUMMARY_TABLE[period.kind].table,
    ...explanation,
  };
}

function dayOf(label: string): Period {
  if (parseUtcDay(label) === null) throw new VctpError('usage', `--day ${label}: expected a calendar day YYYY-MM-DD`);
  return dayPeriod(label);
}

/** A closed month's cards (the settings' own form, as JSON); an unreadable record is the database's fault. */
function recordedCards(json: string, month: string): RateCardSetting[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.some((c) => typeof c !== 'object' || c === null || typeof (c as RateCardSetting).valid_from !== 'string')) {
    throw new VctpError('database', `month_closures.rate_cards of ${month}: expected a JSON list of rate cards`);
  }
  return parsed as RateCardSetting[];
}
