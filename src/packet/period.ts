import { monthName } from '../format/time.js';
import type { Temporal } from '../model/time.js';

/** A closed range of calendar days `[since, until]` in the display time zone. */
export interface Period {
  since: Temporal.PlainDate;
  until: Temporal.PlainDate;
}

export function periodDays(period: Period): number {
  return period.since.until(period.until, { largestUnit: 'days' }).days + 1;
}

/** The period of equal length that ends the day before `period` starts. */
export function previousPeriod(period: Period): Period {
  const days = periodDays(period);
  const until = period.since.subtract({ days: 1 });
  return { since: until.subtract({ days: days - 1 }), until };
}

/** The 12 calendar months ending with the month of `until`: the first day of the first month, and each month. */
export function trailingMonths(until: Temporal.PlainDate, count = 12): { since: Temporal.PlainDate; months: Temporal.PlainYearMonth[] } {
  const last = until.toPlainYearMonth();
  const months: Temporal.PlainYearMonth[] = [];
  for (let i = count - 1; i >= 0; i--) months.push(last.subtract({ months: i }));
  return { since: months[0]!.toPlainDate({ day: 1 }), months };
}

/** "2007-03" */
export function monthKey(month: Temporal.PlainYearMonth): string {
  return month.toString();
}

/** "Mar\n2007" for January and the first month shown, else "Apr". */
export function monthLabel(month: Temporal.PlainYearMonth, first: boolean): string {
  const name = monthName(month, true);
  return first || month.month === 1 ? `${name}\n${month.year}` : name;
}

/** Quarters ("2006-Q3") that overlap the months, in order. */
export function quartersOf(months: readonly Temporal.PlainYearMonth[]): string[] {
  const keys: string[] = [];
  for (const m of months) {
    const key = `${m.year}-Q${Math.ceil(m.month / 3)}`;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** "Q3\n2006" from "2006-Q3". */
export function quarterLabel(key: string): string {
  const [year, q] = key.split('-');
  return `${q}\n${year}`;
}
