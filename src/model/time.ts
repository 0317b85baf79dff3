import { Temporal } from 'temporal-polyfill';

export { Temporal };
export type Instant = Temporal.Instant;

const HAS_OFFSET = /(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/;

export type TimestampResult =
  | { ok: true; instant: Temporal.Instant; offset: string }
  | { ok: false; reason: 'no-offset' | 'invalid' };

/** Reads an ISO 8601 timestamp that must carry a UTC offset or `Z`. Never guesses a zone. */
export function parseTimestamp(text: string): TimestampResult {
  const trimmed = text.trim();
  if (!HAS_OFFSET.test(trimmed)) return { ok: false, reason: 'no-offset' };
  try {
    const iso = trimmed.replace(' ', 'T');
    const instant = Temporal.Instant.from(iso);
    const m = /(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/.exec(iso)!;
    return { ok: true, instant, offset: normaliseOffset(m[0]) };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
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

export function isValidTimeZone(zone: string): boolean {
  try {
    Temporal.Now.instant().toZonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}

/** Today's date in a time zone. */
export function today(zone: string): Temporal.PlainDate {
  return Temporal.Now.plainDateISO(zone);
}
