import type { Instant } from '../model/time.js';

/**
 * The shared date formats of `src/format/time.ts` ("2007-06-04 09:10 EDT", "Monday, June 4,
 * 2007", "2007-06-04"), made fast for pages that show thousands of times: one cached native
 * `Intl.DateTimeFormat` per zone instead of a formatter per call. A test holds them equal to
 * the shared functions.
 */
export interface ZoneFormat {
  /** "2007-06-04" */
  isoDate(instant: Instant | number): string;
  /** "2007-06-04 09:10 EDT" */
  shortDateTime(instant: Instant): string;
  /** "Monday, June 4, 2007" */
  longDate(instant: Instant): string;
}

export function zoneFormat(zone: string): ZoneFormat {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const long = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  const fields = (ms: number) => {
    const f: Record<string, string> = {};
    for (const p of parts.formatToParts(ms)) f[p.type] = p.value;
    return f as { year: string; month: string; day: string; hour: string; minute: string; timeZoneName: string };
  };
  const ms = (i: Instant | number) => (typeof i === 'number' ? i : i.epochMilliseconds);
  return {
    isoDate(i) {
      const f = fields(ms(i));
      return `${f.year.padStart(4, '0')}-${f.month}-${f.day}`;
    },
    shortDateTime(i) {
      const f = fields(ms(i));
      return `${f.year.padStart(4, '0')}-${f.month}-${f.day} ${f.hour === '24' ? '00' : f.hour}:${f.minute} ${f.timeZoneName}`;
    },
    longDate: (i) => long.format(ms(i)),
  };
}
