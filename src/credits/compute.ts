import { weightedMs } from '../model/impact.js';
import { Temporal } from '../model/time.js';
import type { AvailabilityWeights } from '../db/queries/stats.js';
import type { Contract, ContractExclusion } from '../schema/contract.js';
import type { CreditWindow } from './windows.js';

/**
 * Service credits a provider owes under its contract, per calendar month (config time zone)
 * and contract service. Minutes are weighted as availability weights them (the heaviest level
 * in effect at each moment counts); a window crossing a month boundary counts in each month
 * for its part there. Of the provider's windows:
 * - gross: every window of the service in an incident involving the provider;
 * - excluded: what the contract's exclusions take out (they win over everything else);
 * - not attributable: what is left that the provider did not cause (ours, shared, another
 *   party's, or not attributed);
 * - billable: windows caused by the provider (`attribution: provider`), not excluded.
 * gross = excluded + not attributable + billable. Availability is 1 − billable ÷ the minutes of
 * the whole month; the tier is the lowest one whose `below` the availability is under
 * (strictly: exactly at `below` earns nothing); the credit is that share of the monthly fee.
 */
export interface CreditRow {
  provider: string;
  service: string;
  /** YYYY-MM. */
  month: string;
  gross_minutes: number;
  excluded_minutes: number;
  not_attributable_minutes: number;
  billable_minutes: number;
  availability_percent: number;
  target_percent: number;
  met_target: boolean;
  /** e.g. "below 99.9%", null when no tier applies. */
  tier: string | null;
  credit_percent: number;
  monthly_fee: number | null;
  credit_amount: number;
  currency: string | null;
  /** Last day a claim may be made: the end of the month plus `claim_within_days`. */
  claim_by: string;
  /** The month ends after the evaluation day: its numbers may still grow. */
  month_complete: boolean;
  incidents: string[];
}

export interface CreditInput {
  provider: string;
  contract: Contract;
  windows: readonly CreditWindow[];
  weights: AvailabilityWeights;
  timezone: string;
  /** Every calendar month touching since…until (inclusive days) is measured, whole; nothing after the end of `until` counts. */
  since: Temporal.PlainDate;
  until: Temporal.PlainDate;
}

const MINUTE = 60000;
/** Percentages compared exactly: targets and tiers are given to at most this many decimals. */
const SCALE = 1_000_000n;

const excludedBy: Record<ContractExclusion, (w: CreditWindow) => boolean> = {
  'scheduled-maintenance': (w) => w.maintenance,
  'customer-caused': (w) => w.cause === 'us',
  'third-party': (w) => w.cause === 'third-party',
};

/** True when `billable` of `total` milliseconds leaves availability strictly below `percent`. */
export function isBelow(billableMs: number, totalMs: number, percent: number): boolean {
  const scaled = BigInt(Math.round(percent * Number(SCALE)));
  // 1 − b/T < p/100  ⇔  100·b > T·(100 − p), in integers
  return 100n * SCALE * BigInt(Math.round(billableMs)) > BigInt(totalMs) * (100n * SCALE - scaled);
}

/** 100 × (1 − b/T) rounded down to 4 decimals, in integers (99.9 stays 99.9, 99.89999 shows 99.8999). */
function availabilityPercent(billableMs: number, totalMs: number): number {
  return Number((BigInt(totalMs - billableMs) * 1_000_000n) / BigInt(totalMs)) / 10000;
}

const startOf = (month: Temporal.PlainYearMonth, zone: string) =>
  month.toPlainDate({ day: 1 }).toZonedDateTime({ timeZone: zone }).epochMilliseconds;

function months(since: Temporal.PlainDate, until: Temporal.PlainDate): Temporal.PlainYearMonth[] {
  const list: Temporal.PlainYearMonth[] = [];
  for (let m = since.toPlainYearMonth(); Temporal.PlainYearMonth.compare(m, until.toPlainYearMonth()) <= 0; m = m.add({ months: 1 }))
    list.push(m);
  return list;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function computeCredits(input: CreditInput): CreditRow[] {
  const { contract, weights, timezone } = input;
  const exclusions = contract.exclusions.map((e) => excludedBy[e]);
  const excluded = (w: CreditWindow) => exclusions.some((test) => test(w));
  const billable = (w: CreditWindow) => !excluded(w) && w.cause === 'provider' && w.provider === input.provider;
  const evaluatedTo = input.until.add({ days: 1 }).toZonedDateTime({ timeZone: timezone }).epochMilliseconds;
  const rows: CreditRow[] = [];
  for (const month of months(input.since, input.until)) {
    const start = startOf(month, timezone);
    const end = startOf(month.add({ months: 1 }), timezone);
    const measured = [start, Math.min(end, evaluatedTo)] as const;
    for (const [service, terms] of contract.services) {
      const spans = input.windows.filter((w) => w.service === service && w.from < measured[1] && (w.to ?? Infinity) > start);
      const weighed = (keep: (w: CreditWindow) => boolean) =>
        Math.round(
          weightedMs(
            spans.filter(keep).map((w) => ({ from: w.from, to: w.to, weight: weights[w.level] })),
            measured,
          ),
        );
      const gross = weighed(() => true);
      if (gross === 0) continue;
      const kept = weighed((w) => !excluded(w));
      const owed = weighed(billable);
      const tier = contract.tiers.filter((t) => isBelow(owed, end - start, t.below)).at(-1);
      const fee = terms.monthly_fee ?? contract.monthly_fee;
      const lastDay = month.toPlainDate({ day: month.daysInMonth });
      rows.push({
        provider: input.provider,
        service,
        month: month.toString(),
        gross_minutes: round2(gross / MINUTE),
        excluded_minutes: round2((gross - kept) / MINUTE),
        not_attributable_minutes: round2((kept - owed) / MINUTE),
        billable_minutes: round2(owed / MINUTE),
        availability_percent: availabilityPercent(owed, end - start),
        target_percent: terms.target,
        met_target: !isBelow(owed, end - start, terms.target),
        tier: tier ? `below ${tier.below}%` : null,
        credit_percent: tier?.credit_percent ?? 0,
        monthly_fee: fee?.amount ?? null,
        credit_amount: fee && tier ? round2((fee.amount * tier.credit_percent) / 100) : 0,
        currency: fee?.currency ?? null,
        claim_by: lastDay.add({ days: contract.claim_within_days }).toString(),
        month_complete: end <= evaluatedTo,
        incidents: [...new Set(spans.map((w) => w.incident))].sort(),
      });
    }
  }
  return rows;
}

/** The method, printed under every credits table and in the packet's chapter. */
export function creditsMethod(contract: Contract, weights: AvailabilityWeights): string {
  const counted =
    (Object.entries(weights) as [string, number][])
      .filter(([, w]) => w > 0)
      .map(([level, w]) => (w === 1 ? `${level} minutes in full` : `${level} minutes × ${w}`))
      .join(', ') || 'nothing';
  const exclusions = contract.exclusions.length ? contract.exclusions.join(', ') : 'none';
  return (
    `Per calendar month and contract service, from the impact windows of incidents involving the provider: ${counted} ` +
    '(where windows overlap, the heaviest level counts; a window crossing a month boundary counts in each month for its part there). ' +
    `Excluded by the contract (${exclusions}) first; billable are the remaining windows the provider caused (attribution: provider); ` +
    'windows we, both or another party caused, or not attributed, are not billable. ' +
    'Availability = 1 − billable minutes ÷ minutes in the month; the lowest tier the availability is strictly below applies ' +
    `(${contract.tiers.map((t) => `below ${t.below}%: ${t.credit_percent}%`).join(', ')}) as a share of the monthly fee; ` +
    `claims are due ${contract.claim_within_days} days after the end of the month.`
  );
}
