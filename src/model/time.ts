import { Temporal } from 'temporal-polyfill';
import { dateInSpan, spanOf } from './zone-record.js';

export { Temporal };
export type Instant = Temporal.Instant;

const HAS_OFFSET = /(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * From here on `Intl` gives Gregorian dates; before, ICU's calendars (iso8601 included) switch
 * to the Julian calendar (1500-06-01 came out as 1500-05-22). Dates are proleptic Gregorian
 * everywhere, so earlier ones are computed with Temporal.
 */
export const GREGORIAN_INTL = Date.UTC(1583, 0, 1);

/** The `Intl.DateTimeFormat` options of a local calendar date, YYYY-MM-DD in parts (`localDate` in `db/write.ts`; `intl-warmup.ts`). */
export const LOCAL_DATE_FORMAT: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  calendar: 'iso8601',
  numberingSystem: 'latn',
};

const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * "EDT": the zone's short name at an instant (names Intl gives right in every year; only its
 * dates need GREGORIAN_INTL), from one formatter per zone: making one costs ~0.1 ms.
 */
export function zoneAbbreviation(instant: Instant, zone: string): string {
  let format = zoneNameFormats.get(zone);
  if (!format) zoneNameFormats.set(zone, (format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' })));
  return format.formatToParts(instant.epochMilliseconds).find((part) => part.type === 'timeZoneName')!.value;
}

export type TimestampResult =
  | { ok: true; instant: Temporal.Instant; offset: string }
  | { ok: false; reason: 'no-offset' | 'invalid' | 'out-of-range' };

/**
 * Instants the knowledge base holds: UTC years 0001 to 9999, the years an ISO date, SQLite's
 * date functions and the database's `YYYY-MM-DD` columns can write.
 */
const FIRST_MS = new Date('0001-01-01T00:00:00Z').getTime();
const END_MS = new Date('+010000-01-01T00:00:00Z').getTime();

function inRange(instant: Temporal.Instant): boolean {
  const ms = instant.epochMilliseconds;
  return ms >= FIRST_MS && ms < END_MS;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1–12) of a proleptic Gregorian year. */
function daysInMonth(year: number, month: number): number {
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return MONTH_DAYS[month - 1]! + (leap ? 1 : 0);
}

/** The common form, `2007-06-04T09:10(:00)?-04:00` or `Z`, read without Temporal's general parser. */
const COMMON = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds of a timestamp in the common form with every field in range, else
 * undefined (then Temporal decides). Held equal to `Temporal.Instant.from` by a test.
 */
function commonForm(text: string): { ms: number; offset: string } | undefined {
  const m = COMMON.exec(text);
  if (!m) return undefined;
  // field by field, without an array or a Date: this runs for every timestamp of every incident typed
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const offsetHours = m[7] ? 0 : Number(m[9]);
  const offsetMinutes = m[7] ? 0 : Number(m[10]);
  if (
    year < 1000 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  )
    return undefined;
  const sign = m[8] === '-' ? -1 : 1;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - sign * (offsetHours * 60 + offsetMinutes) * 60000;
  return { ms, offset: m[7] ? 'Z' : `${m[8]}${m[9]}:${m[10]}` };
}

/** Reads an ISO 8601 timestamp that must carry a UTC offset or `Z`. Never guesses a zone. */
export function parseTimestamp(text: string): TimestampResult {
  const trimmed = text.trim();
  if (!HAS_OFFSET.test(trimmed)) return { ok: false, reason: 'no-offset' };
  const common = commonForm(trimmed);
  let result: TimestampResult;
  if (common) result = { ok: true, instant: Temporal.Instant.fromEpochMilliseconds(common.ms), offset: common.offset };
  else {
    try {
      const iso = trimmed.replace(' ', 'T');
      const instant = Temporal.Instant.from(iso);
      const m = /(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/.exec(iso)!;
      result = { ok: true, instant, offset: normaliseOffset(m[0]) };
    } catch {
      return { ok: false, reason: 'invalid' };
    }
  }
  return inRange(result.instant) ? result : { ok: false, reason: 'out-of-range' };
}

function normaliseOffset(offset: string): string {
  if (offset === 'Z' || offset === 'z') return 'Z';
  const sign = offset[0];
  const digits = offset.slice(1).replace(':', '');
  return `${sign}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

/** Exact minutes between two instants (independent of daylight-saving changes). */
export function minutesBetween(from: Temporal.Instant, to: Temporal.Instant): number {
  return (to.epochMilliseconds - from.epochMilliseconds) / 60000;
}

/** A calendar date `YYYY-MM-DD`, or undefined if it is not a real date. */
export function parseDate(text: string): Temporal.PlainDate | undefined {
  try {
    return Temporal.PlainDate.from(text, { overflow: 'reject' });
  } catch {
    return undefined;
  }
}

const COMMON_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Whether `parseDate` reads `text` as a real date, the common form `YYYY-MM-DD` decided without
 * Temporal (its general parser was a seventh of typing an incident, for a yes or no). Held equal
 * to `parseDate` by a test.
 */
export function isRealDate(text: string): boolean {
  const m = COMMON_DATE.exec(text);
  if (!m) return parseDate(text) !== undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Whether Temporal knows the zone (from the zone's recorded span when there is one: see `zone-record.ts`). */
export function isValidTimeZone(zone: string): boolean {
  return spanOf(zone, Date.now()) !== undefined;
}

/** Today's date in a time zone (`Temporal.Now.plainDateISO`, from the zone's recorded span when now is in it). */
export function today(zone: string): Temporal.PlainDate {
  const now = Date.now();
  const span = spanOf(zone, now);
  return span ? dateInSpan(span, now) : Temporal.Now.plainDateISO(zone);
}
