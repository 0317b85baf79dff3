import { GREGORIAN_INTL, Temporal, type Instant } from '../model/time.js';
import { isoDate, isoInZone, longDate, shortDateTime } from '../format/time.js';

/**
 * The shared date formats of `src/format/time.ts` ("2007-06-04 09:10 EDT", "Monday, June 4,
 * 2007", "2007-06-04") and `Instant#toString()` ("2007-06-04T13:10:00Z"), made fast for pages
 * that show hundreds of thousands of times (the benchmark's timelines):
 *
 * - the zone's offset and abbreviation are asked of a cached native `Intl.DateTimeFormat` once
 *   per six hours of UTC, at both ends; when both ends agree (no change of offset inside — always,
 *   except around a daylight-saving change), every instant in those six hours is formatted with plain arithmetic on the offset; otherwise, and before 1973 (when
 *   some zones still had offsets with seconds), `Intl` formats each instant;
 * - the long date is asked of `Intl` once per local day, where the six hours' offset is known;
 * - the ISO form with the zone's offset (letters and exports: `isoInZone`, Temporal's zoned time made
 *   for each instant, was a third of the Atom feed's 50 letters on the main thread of a cold build)
 *   from the six hours' offset too;
 * - the UTC ISO form comes from `Date#toISOString()` when the instant has no fraction of a
 *   second and a four-digit year, else from `Instant#toString()`.
 *
 * A test holds them equal to the shared functions across years of instants and many zones.
 */
export interface ZoneFormat {
  /** "2007-06-04" */
  isoDate(instant: Instant | number): string;
  /** "2007-06-04 09:10 EDT" */
  shortDateTime(instant: Instant): string;
  /** "Monday, June 4, 2007" */
  longDate(instant: Instant): string;
  /** "2007-06-04T13:10:00Z", as `Instant#toString()` */
  iso(instant: Instant): string;
  /** "2007-06-04T09:10:00-04:00", as `isoInZone` */
  isoInZone(instant: Instant): string;
}

/** The span whose offset is asked of `Intl` at both ends: six hours (no zone changes its offset twice in six hours). */
const SPAN = 6 * 3_600_000;
/** From here on every zone's offset is a whole number of minutes. */
const WHOLE_MINUTE_OFFSETS = Date.UTC(1973, 0, 1);
/** `toISOString` gives four-digit years up to here. */
const FOUR_DIGIT_YEARS = Date.UTC(10000, 0, 1);

interface Fields {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  timeZoneName: string;
}
interface Hour {
  offset: number;
  zoneName: string;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * What `partsFormat` writes of a time in en-US, "06/04/2007, 09:10 EDT": the fields are read
 * from it when it has this shape (a four-digit year), else from `formatToParts`. A formatted
 * string is its parts joined (ECMA-402), and `format` costs a third of `formatToParts`: the
 * fields were a third of an incident page's dates (docs/performance.md, "cold13render").
 */
const FORMATTED = /^(\d\d)\/(\d\d)\/(\d{4}), (\d\d):(\d\d) (\S+)$/;

export function zoneFormat(zone: string): ZoneFormat {
  // made on first use: the first formatter of a zone loads its rules (a build with nothing to render formats nothing)
  let parts: Intl.DateTimeFormat | undefined;
  let long: Intl.DateTimeFormat | undefined;
  const partsFormat = () =>
    (parts ??= new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    }));
  const longFormat = () =>
    (long ??= new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }));
  const fields = (ms: number): Fields => {
    const m = FORMATTED.exec(partsFormat().format(ms));
    if (m) return { month: m[1]!, day: m[2]!, year: m[3]!, hour: m[4]!, minute: m[5]!, timeZoneName: m[6]! };
    const f: Record<string, string> = {};
    for (const p of partsFormat().formatToParts(ms)) f[p.type] = p.value;
    return f as unknown as Fields;
  };
  /** The local wall-clock offset at `ms` (a whole minute), from the fields `Intl` gives. */
  const offsetAt = (ms: number, f: Fields) =>
    Date.UTC(Number(f.year), Number(f.month) - 1, Number(f.day), f.hour === '24' ? 0 : Number(f.hour), Number(f.minute)) -
    (ms - (ms % 60000));
  const hours = new Map<number, Hour | null>();
  /** `longDate` by local day (days since 1970 of the local date), where `hourOf` knows the offset. */
  const days = new Map<number, string>();
  /** The offset and abbreviation valid for the whole six-hour UTC span of `ms`, or null when it changes inside it. */
  const hourOf = (ms: number): Hour | null => {
    if (ms < WHOLE_MINUTE_OFFSETS || ms >= FOUR_DIGIT_YEARS) return null;
    const start = ms - (ms % SPAN);
    let h = hours.get(start);
    if (h === undefined) {
      const a = fields(start);
      const b = fields(start + SPAN - 60000);
      const offset = offsetAt(start, a);
      h = offset === offsetAt(start + SPAN - 60000, b) && a.timeZoneName === b.timeZoneName ? { offset, zoneName: a.timeZoneName } : null;
      hours.set(start, h);
    }
    return h;
  };
  const ms = (i: Instant | number) => (typeof i === 'number' ? i : i.epochMilliseconds);
  const localDate = (d: Date) => `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return {
    isoDate(i) {
      const t = ms(i);
      const h = hourOf(t);
      if (h) return localDate(new Date(t + h.offset));
      if (t < GREGORIAN_INTL) return isoDate(Temporal.Instant.fromEpochMilliseconds(t), zone);
      const f = fields(t);
      return `${f.year.padStart(4, '0')}-${f.month}-${f.day}`;
    },
    shortDateTime(i) {
      const t = ms(i);
      const h = hourOf(t);
      if (h) {
        const d = new Date(t + h.offset);
        return `${localDate(d)} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} ${h.zoneName}`;
      }
      if (t < GREGORIAN_INTL) return shortDateTime(Temporal.Instant.fromEpochMilliseconds(t), zone);
      const f = fields(t);
      return `${f.year.padStart(4, '0')}-${f.month}-${f.day} ${f.hour === '24' ? '00' : f.hour}:${f.minute} ${f.timeZoneName}`;
    },
    longDate(i) {
      const t = ms(i);
      if (t < GREGORIAN_INTL) return longDate(Temporal.Instant.fromEpochMilliseconds(t), zone);
      const h = hourOf(t);
      if (!h) return longFormat().format(t);
      // the same for every time of the local day (a page's times are mostly on one)
      const day = Math.floor((t + h.offset) / 86_400_000);
      let text = days.get(day);
      if (text === undefined) days.set(day, (text = longFormat().format(t)));
      return text;
    },
    isoInZone(i) {
      const t = i.epochMilliseconds;
      const h = hourOf(t);
      if (!h) return isoInZone(i, zone);
      // (t is after 1973: the remainder is the fraction of the second, which the form leaves out)
      const d = new Date(t - (t % 1000) + h.offset);
      const minutes = Math.abs(h.offset) / 60000;
      const offset = `${h.offset < 0 ? '-' : '+'}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
      return `${localDate(d)}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${offset}`;
    },
    iso(i) {
      const t = i.epochMilliseconds;
      if (t % 1000 === 0 && i.epochNanoseconds % 1_000_000_000n === 0n && t >= Date.UTC(1000, 0, 1) && t < FOUR_DIGIT_YEARS) {
        return `${new Date(t).toISOString().slice(0, 19)}Z`;
      }
      return i.toString();
    },
  };
}

const byZone = new Map<string, ZoneFormat>();

/** One `zoneFormat` per zone for the process (its caches kept): letters and exports format a few hundred times each. */
export function zoneFormatOf(zone: string): ZoneFormat {
  let f = byZone.get(zone);
  if (!f) byZone.set(zone, (f = zoneFormat(zone)));
  return f;
}
