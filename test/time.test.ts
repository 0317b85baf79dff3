import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clockTime } from '../src/format/time.js';
import { isRealDate, isValidTimeZone, parseDate, parseTimestamp, Temporal, today } from '../src/model/time.js';
import { dateInSpan, spanOf, type ZoneSpan, zoneSpanAt } from '../src/model/zone-record.js';

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

describe('clockTime', () => {
  it("gives Temporal's toLocaleString text in every era and in zones with odd offsets", () => {
    const zones = [
      'America/New_York',
      'UTC',
      'Europe/London',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
      'America/St_Johns',
      'Pacific/Chatham',
      'Africa/Monrovia',
    ];
    const temporal = (i: Temporal.Instant, zone: string) =>
      i
        .toZonedDateTimeISO(zone)
        .toLocaleString('en-US', { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' })
        .replace(/\u202f/g, ' ');
    const seen = new Set<string>();
    for (let year = 1; year <= 9999; year += 37) {
      // a different day and minute each year, daylight-saving changes (March, October, November) included
      const date = new Date(0);
      date.setUTCFullYear(year, (year * 7) % 12, 1 + (year % 28)); // (Date.UTC reads years 0–99 as 1900–1999)
      date.setUTCHours(year % 24, (year * 13) % 60);
      const instant = Temporal.Instant.fromEpochMilliseconds(date.getTime());
      for (const zone of zones) {
        const text = clockTime(instant, zone);
        expect(text, `${instant} ${zone}`).toBe(temporal(instant, zone));
        seen.add(text.replace(/^\d+:\d\d [AP]M /, ''));
      }
    }
    expect(clockTime(Temporal.Instant.from('2007-06-04T13:10:00Z'), 'America/New_York')).toBe('9:10 AM EDT');
    expect(seen.size).toBeGreaterThan(zones.length); // zone names and offsets of several eras were compared
  });
});

describe("today's date from a zone's recorded span", () => {
  const zones = [
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Pacific/Apia',
    'America/St_Johns',
    'UTC',
    '+05:30',
  ];
  const HOUR = 3_600_000;
  const temporalDate = (zone: string, ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate();

  it.each(zones)('%s: the date of every instant in a span is the one Temporal gives, DST edges included', (zone) => {
    let ms = zoneSpanAt(zone, Date.UTC(2011, 3, 1)).until; // a transition, or 30 days on
    let previous: ZoneSpan | undefined;
    for (let n = 0; n < 16; n++) {
      const span = zoneSpanAt(zone, ms);
      // a span found at a transition starts there; otherwise it holds the instant it was found at
      if (previous && previous.offset !== span.offset) expect(span.from).toBe(ms);
      else expect(span.from).toBeLessThanOrEqual(ms);
      expect(span.until).toBeGreaterThan(ms);
      previous = span;
      // every seventh hour of the span (each hour of the day in turn), and its last millisecond
      for (let t = span.from; t < span.until; t += 7 * HOUR) expect(dateInSpan(span, t)).toEqual(temporalDate(zone, t));
      expect(dateInSpan(span, span.until - 1)).toEqual(temporalDate(zone, span.until - 1));
      ms = span.until; // the next span starts where this one ends (at a transition, or 30 days on)
    }
  });

  it('is recorded once per zone and read back; a record of other versions, of another shape or of an unknown zone is not used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zones-'));
    const path = join(dir, 'zones.json');
    try {
      const at = Date.UTC(2026, 2, 8, 6, 59, 59, 999); // a millisecond before New York's clocks go forward
      expect(spanOf('America/New_York', at, path)).toEqual(zoneSpanAt('America/New_York', at));
      const written = readFileSync(path, 'utf8');
      expect(Object.keys(JSON.parse(written).zones)).toEqual(['America/New_York']);
      // a changed record is what the next run reads
      const record = JSON.parse(written);
      record.zones['America/New_York'][2] = 7;
      writeFileSync(path, JSON.stringify(record));
      expect(spanOf('America/New_York', at, path)?.offset).toBe(7);
      // outside the recorded span, and under another version, the span is found again
      expect(spanOf('America/New_York', at + 1, path)?.offset).toBe(-4 * HOUR);
      writeFileSync(path, JSON.stringify({ ...record, version: 'v0 0 0' }));
      expect(spanOf('America/New_York', at, path)?.offset).toBe(-5 * HOUR);
      expect(spanOf('Mars/Olympus_Mons', at, path)).toBeUndefined();
      // a record of another shape (hand-edited, damaged) is not used: the span is found again
      for (const kept of [[0, 1e15, 'x'], [0, 1e15, -5 * HOUR], [at + 1, at, -5 * HOUR], [at, at + 1, 30 * HOUR], 'span', null]) {
        writeFileSync(path, JSON.stringify({ ...record, zones: { 'America/New_York': kept } }));
        expect(spanOf('America/New_York', at, path)).toEqual(zoneSpanAt('America/New_York', at));
      }
      expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).zones)).toEqual(['America/New_York']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('today() and isValidTimeZone() answer as Temporal does', () => {
    for (const zone of zones) {
      expect(isValidTimeZone(zone)).toBe(true);
      expect(today(zone)).toEqual(Temporal.Now.plainDateISO(zone));
    }
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
