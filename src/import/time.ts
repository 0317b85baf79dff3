import { Temporal, type Instant } from '../model/time.js';

/**
 * A time as a foreign source writes it, read without guessing: a day alone stays a day; a time
 * with an offset (or `Z`, `UTC`, `GMT`) is that instant; a time without one takes the map's
 * `zone` (the organisation's zone), and is a problem when there is none or when the local time
 * falls in a daylight-saving gap or overlap there.
 */
export type ForeignTime =
  | {
      kind: 'instant';
      instant: Instant /** ISO 8601 as the record will hold it */;
      text: string;
      offset: string /** the source wrote a zone */;
      labelled: boolean;
    }
  | { kind: 'day'; text: string }
  | { kind: 'problem'; ruleId: 'import-time'; message: string };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*(UTC|GMT)?$/i;

export function readForeignTime(raw: string, zone: string | undefined, name: string): ForeignTime {
  const text = raw.trim();
  const quoted = `${name} ${JSON.stringify(raw)}`;
  if (DAY.test(text)) {
    return validDay(text) ? { kind: 'day', text } : { kind: 'problem', ruleId: 'import-time', message: `${quoted} is not a real date` };
  }
  const m = TIME.exec(text);
  if (!m)
    return {
      kind: 'problem',
      ruleId: 'import-time',
      message: `${quoted} is not a time this import reads; the source should write ISO 8601, e.g. 2017-01-31T10:30:00Z, or a day 2017-01-31`,
    };
  const [, date, hh, mm, ss = '00', offsetText, zoneName] = m as unknown as [
    string,
    string,
    string,
    string,
    string | undefined,
    string | undefined,
    string | undefined,
  ];
  const clock = `${date}T${hh}:${mm}:${ss}`;
  const explicit = offsetText ?? (zoneName ? 'Z' : undefined);
  try {
    if (explicit !== undefined) {
      const offset = explicit.toUpperCase() === 'Z' ? 'Z' : normaliseOffset(explicit);
      const instant = Temporal.Instant.from(`${clock}${offset}`);
      return { kind: 'instant', instant, text: `${clock}${offset}`, offset, labelled: true };
    }
    if (zone === undefined) {
      return {
        kind: 'problem',
        ruleId: 'import-time',
        message: `${quoted} has no time zone; set \`zone:\` in the map to the zone the source's times are in (e.g. zone: America/Los_Angeles)`,
      };
    }
    const zoned = Temporal.PlainDateTime.from(clock, { overflow: 'reject' }).toZonedDateTime(zone, { disambiguation: 'reject' });
    return { kind: 'instant', instant: zoned.toInstant(), text: `${clock}${zoned.offset}`, offset: zoned.offset, labelled: false };
  } catch {
    const why =
      explicit === undefined && zone !== undefined
        ? ` in ${zone} (it falls in a daylight-saving change there: write it with its offset in the source)`
        : '';
    return { kind: 'problem', ruleId: 'import-time', message: `${quoted} is not a real date and time${why}` };
  }
}

function validDay(text: string): boolean {
  try {
    Temporal.PlainDate.from(text, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

function normaliseOffset(offset: string): string {
  const digits = offset.slice(1).replace(':', '');
  return `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4)}`;
}

/** The calendar day of a foreign time (a day as written; an instant in its own offset). */
export function dayOf(time: ForeignTime): string | undefined {
  if (time.kind === 'day') return time.text;
  if (time.kind === 'instant') return time.text.slice(0, 10);
  return undefined;
}
