import { describe, expect, it } from 'vitest';
import { isRealDate, parseDate, parseTimestamp, Temporal } from '../src/model/time.js';

/** What `parseTimestamp` gave before its fast path for the common form: Temporal decides everything. */
function reference(text: string) {
  const trimmed = text.trim();
  if (!/(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/.test(trimmed)) return { ok: false, reason: 'no-offset' };
  try {
    const iso = trimmed.replace(' ', 'T');
    const instant = Temporal.Instant.from(iso);
    const m = /(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/.exec(iso)![0];
    const offset =
      m === 'Z' || m === 'z' ? 'Z' : `${m[0]}${m.slice(1).replace(':', '').slice(0, 2)}:${m.slice(1).replace(':', '').slice(2, 4) || '00'}`;
    // Only UTC years 0001 to 9999 are kept (a database date column holds four digits).
    const year = instant.toZonedDateTimeISO('UTC').year;
    if (year < 1 || year > 9999) return { ok: false, reason: 'out-of-range' };
    return { ok: true, ms: instant.epochMilliseconds, offset };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
}

const view = (r: ReturnType<typeof parseTimestamp>) => (r.ok ? { ok: true, ms: r.instant.epochMilliseconds, offset: r.offset } : r);

describe('parseTimestamp', () => {
  it('reads the common form exactly as Temporal does, field by field at the edges of each range', () => {
    const texts: string[] = [];
    for (const date of [
      '2007-06-04',
      '2008-02-29',
      '2007-02-29',
      '2007-02-28',
      '2007-04-31',
      '2007-12-31',
      '2007-13-01',
      '2007-00-10',
      '2007-01-00',
      '0999-01-01',
      '1000-01-01',
      '9999-12-31',
      '1970-01-01',
      '1969-12-31',
    ]) {
      for (const time of ['00:00', '23:59', '24:00', '12:60', '09:10:00', '09:10:59', '09:10:60', '09:10:5', '9:10']) {
        for (const offset of [
          'Z',
          'z',
          '+00:00',
          '-04:00',
          '+05:45',
          '-12:00',
          '+14:00',
          '+23:59',
          '+24:00',
          '-04:60',
          '-0400',
          '-04',
          '',
        ]) {
          for (const sep of ['T', ' ', 't']) texts.push(`${date}${sep}${time}${offset}`);
        }
      }
    }
    texts.push('9999-12-31T23:00:00-04:00', '0001-01-01T00:30:00+01:00', '+010000-01-01T00:00Z', '-000001-06-01T00:00Z');
    texts.push(
      '2007-06-04T09:10:00.5-04:00',
      '  2007-06-04T09:10-04:00 ',
      '2007-06-04T09:10:00-04:00[America/New_York]',
      '+002007-06-04T09:10Z',
      'yesterday',
    );
    for (const text of texts) expect(view(parseTimestamp(text)), text).toEqual(reference(text));
  });
});

describe('isRealDate', () => {
  it('says what parseDate says, for every day of a month around its end in leap, century and ordinary years, and other forms', () => {
    const texts: string[] = [];
    for (const year of ['0000', '0004', '0100', '0400', '1582', '1900', '2000', '2023', '2024', '9999'])
      for (let month = 0; month <= 13; month++)
        for (const day of [0, 1, 28, 29, 30, 31, 32])
          texts.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
    texts.push('2024-1-01', '2024-01-1', '20240101', '+002024-01-01', '2024-01-01T10:00', ' 2024-01-01', '2024-01-01 ', 'today', '');
    for (const text of texts) expect(isRealDate(text), text).toBe(parseDate(text) !== undefined);
  });
});
