import { Temporal, zoneAbbreviation, type Instant } from '../model/time.js';

/**
 * Dates, times and durations as documents show them, in the configured display time zone.
 * Shared by letters, packets and the site.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * "June 4, 2007" (or "June 4" without the year), with the weekday in front if asked; proleptic
 * Gregorian (Intl turns Julian before 1583).
 */
export function englishDate(date: Temporal.PlainDate, weekday: boolean, year = true): string {
  const text = `${MONTHS[date.month - 1]} ${date.day}${year ? `, ${date.year}` : ''}`;
  return weekday ? `${weekdayName(date)}, ${text}` : text;
}

/** "June 1500" (`short`: "Jun", without the year). */
export function monthName(month: Temporal.PlainYearMonth, short = false): string {
  const name = MONTHS[month.month - 1]!;
  return short ? name.slice(0, 3) : `${name} ${month.year}`;
}

/** "Monday" */
export function weekdayName(date: Temporal.PlainDate): string {
  return WEEKDAYS[date.dayOfWeek - 1]!;
}

/** "Monday, June 4, 2007" */
export function longDate(instant: Instant, zone: string): string {
  return englishDate(instant.toZonedDateTimeISO(zone).toPlainDate(), true);
}

/** "June 4, 2007" */
export function mediumDate(instant: Instant | Temporal.PlainDate, zone?: string): string {
  const date = instant instanceof Temporal.PlainDate ? instant : instant.toZonedDateTimeISO(zone ?? 'UTC').toPlainDate();
  return englishDate(date, false);
}

/** "2007-06-04" in the zone. */
export function isoDate(instant: Instant, zone: string): string {
  return instant.toZonedDateTimeISO(zone).toPlainDate().toString();
}

/** "2007-06-04T09:10:00-04:00": an instant as ISO 8601 with the offset of the zone, to the second. */
export function isoInZone(instant: Instant, zone: string): string {
  return instant.toZonedDateTimeISO(zone).toString({ timeZoneName: 'never', smallestUnit: 'second' });
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * "9:10 AM EDT", from one formatter per zone (the same text as Temporal's `toLocaleString` with
 * these options, which made a formatter per call: ~0.2 ms each, most of a customer letter's dates).
 * Only a time and a zone name: Intl gives those right in every year (its dates need GREGORIAN_INTL).
 */
export function clockTime(instant: Instant, zone: string): string {
  let format = clockFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
    clockFormats.set(zone, format);
  }
  return format.format(instant.epochMilliseconds).replace(/\u202f/g, ' ');
}

/** "2007-06-04 09:10 EDT" — compact, for tables and timelines. */
export function shortDateTime(instant: Instant, zone: string): string {
  const z = instant.toZonedDateTimeISO(zone);
  const abbr = zoneAbbreviation(instant, zone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${z.toPlainDate().toString()} ${pad(z.hour)}:${pad(z.minute)} ${abbr}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A human duration from exact minutes: "35 minutes", "1 hour and 45 minutes",
 * "2 days and 3 hours". Rounded to the minute; days only beyond 48 hours.
 */
export function humanDuration(minutes: number): string {
  const total = Math.round(minutes);
  if (total < 1) return 'less than a minute';
  if (total < 60) return plural(total, 'minute');
  if (total < 48 * 60) {
    const h = Math.floor(total / 60);
    const m = total % 60;
    return m === 0 ? plural(h, 'hour') : `${plural(h, 'hour')} and ${plural(m, 'minute')}`;
  }
  const d = Math.floor(total / 1440);
  const h = Math.round((total % 1440) / 60);
  if (h === 24) return plural(d + 1, 'day');
  return h === 0 ? plural(d, 'day') : `${plural(d, 'day')} and ${plural(h, 'hour')}`;
}

/** "1h 45m", "35m", "2d 3h" — for tables. */
export function compactDuration(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || Number.isNaN(minutes)) return '—';
  const total = Math.round(minutes);
  if (total < 60) return `${total}m`;
  if (total < 48 * 60) {
    const h = Math.floor(total / 60);
    const m = total % 60;
    return m ? `${h}h ${m}m` : `${h}h`;
  }
  const d = Math.floor(total / 1440);
  const h = Math.round((total % 1440) / 60);
  return h ? `${d}d ${h}h` : `${d}d`;
}

/** Exact minutes between two instants, whatever daylight-saving changes lie between. */
export function minutesBetween(from: Instant, to: Instant): number {
  return (to.epochMilliseconds - from.epochMilliseconds) / 60000;
}
