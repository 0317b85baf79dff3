import { englishDate, monthName } from '../format/time.js';
import type { CreditRow } from '../credits/compute.js';
import type { ProviderCredits } from '../credits/provider.js';
import { parseDate, Temporal } from '../model/time.js';

/** The "Credits owed to us" chapter: the credit rows as the page prints them, the total per currency and the method. */
export interface CreditsView {
  rows: {
    month: string;
    service: string;
    gross: string;
    excluded: string;
    notAttributable: string;
    billable: string;
    availability: string;
    target: string;
    met: boolean;
    tier: string;
    credit: string;
    claimBy: string;
    complete: boolean;
    /** The claim deadline has passed on the evaluation day. */
    lapsed: boolean;
  }[];
  /** "$2,400.00", one entry per currency; empty when nothing is owed. */
  totals: string[];
  owed: number;
  /** "3 service-months". */
  owedText: string;
  /** Credits whose claim deadline is still ahead on the evaluation day, per currency. */
  claimable: string[];
  method: string;
  /** The command that gives the same rows, claim-ready. */
  command: string;
}

/** "$1,234.50" in the row's currency (ISO code when Intl does not know it). */
export function money(amount: number, currency: string | null): string {
  if (currency === null) return amount.toFixed(2);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
}

const minutes = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

function rowView(r: CreditRow, today: Temporal.PlainDate, serviceName: (id: string) => string): CreditsView['rows'][number] {
  return {
    month: monthName(Temporal.PlainYearMonth.from(r.month)),
    service: serviceName(r.service),
    gross: minutes(r.gross_minutes),
    excluded: minutes(r.excluded_minutes),
    notAttributable: minutes(r.not_attributable_minutes),
    billable: minutes(r.billable_minutes),
    // already rounded down: never shows 99.900% for a month just under the target
    availability: `${r.availability_percent.toFixed(4)}%`,
    target: `${r.target_percent}%`,
    met: r.met_target,
    tier: r.tier ? `${r.tier} → ${r.credit_percent}%` : '—',
    credit: r.credit_amount > 0 ? money(r.credit_amount, r.currency) : '—',
    claimBy: englishDate(parseDate(r.claim_by)!, false),
    complete: r.month_complete,
    lapsed: r.claim_by < today.toString(),
  };
}

/** Total credit per currency of the rows that match. */
function totals(rows: readonly CreditRow[]): string[] {
  const sums = new Map<string, number>();
  for (const r of rows) if (r.credit_amount > 0) sums.set(r.currency ?? '', (sums.get(r.currency ?? '') ?? 0) + r.credit_amount);
  return [...sums].map(([currency, amount]) => money(Math.round(amount * 100) / 100, currency || null));
}

/** `today`: the evaluation day, against which claim deadlines are judged; `serviceName`: a service's display name. */
export function creditsView(credits: ProviderCredits, today: Temporal.PlainDate, serviceName: (id: string) => string): CreditsView {
  const owed = credits.rows.filter((r) => r.credit_amount > 0).length;
  return {
    rows: credits.rows.map((r) => rowView(r, today, serviceName)),
    claimable: totals(credits.rows.filter((r) => r.claim_by >= today.toString())),
    owedText: `${owed} service-month${owed === 1 ? '' : 's'}`,
    totals: totals(credits.rows),
    owed,
    method: credits.method,
    command: `postmortem credits --provider ${credits.provider} --since ${credits.since} --until ${credits.until} --format csv`,
  };
}
