import type { Temporal } from '../model/time.js';
import type { ForeignTime } from './time.js';

/**
 * Times that a source labels with one zone while its own text says another, and times outside
 * the range a record can plausibly have: reported, never corrected (see docs/import.md).
 */
export interface TimeDoubt {
  field: string;
  ruleId: 'import-zone' | 'import-range';
  message: string;
}

/** Zones people write next to a clock time: a fixed offset, or a named zone read at that date. */
const ZONE_WORDS: Record<string, string> = {
  UTC: '+00:00',
  GMT: '+00:00',
  Z: '+00:00',
  PST: '-08:00',
  PDT: '-07:00',
  MST: '-07:00',
  MDT: '-06:00',
  CST: '-06:00',
  CDT: '-05:00',
  EST: '-05:00',
  EDT: '-04:00',
  CET: '+01:00',
  CEST: '+02:00',
  BST: '+01:00',
  JST: '+09:00',
  PACIFIC: 'America/Los_Angeles',
  MOUNTAIN: 'America/Denver',
  CENTRAL: 'America/Chicago',
  EASTERN: 'America/New_York',
};
const MENTION = new RegExp(String.raw`\b(\d{1,2}):(\d{2})\s*([ap]\.?m\.?)?\s*\(?(${Object.keys(ZONE_WORDS).join('|')})\b`, 'gi');

/** Earliest and latest years a record's time may fall in before it is called implausible. */
export const PLAUSIBLE_YEARS = [1970, 2100] as const;

export interface TimedField {
  field: string;
  time: Extract<ForeignTime, { kind: 'instant' }>;
}

/** Mislabelled zones and implausible times among a record's times; `text` is the record's prose (title, summary, body). */
export function timeDoubts(times: readonly TimedField[], text: string, maxDays: number): TimeDoubt[] {
  return [...times.flatMap((t) => mislabelled(t, text)), ...outOfRange(times, maxDays)];
}

function mislabelled({ field, time }: TimedField, text: string): TimeDoubt[] {
  if (!time.labelled) return [];
  const clock = time.text.slice(11, 16);
  for (const m of text.matchAll(MENTION)) {
    const hour = to24(Number(m[1]), m[3]);
    if (hour === undefined || `${String(hour).padStart(2, '0')}:${m[2]}` !== clock) continue;
    const word = m[4]!.toUpperCase();
    const said = offsetAt(ZONE_WORDS[word]!, time.instant);
    const written = time.offset === 'Z' ? '+00:00' : time.offset;
    if (said === written) continue;
    return [
      {
        field,
        ruleId: 'import-zone',
        message: `\`${field}\` ${time.text} is labelled ${time.offset === 'Z' ? 'UTC' : time.offset}, but the record's text says ${m[0].trim()} (${said}); one of them is wrong: correct the source (the import does not guess which)`,
      },
    ];
  }
  return [];
}

function to24(hour: number, meridiem: string | undefined): number | undefined {
  if (!meridiem) return hour <= 23 ? hour : undefined;
  if (hour < 1 || hour > 12) return undefined;
  return (hour % 12) + (/^p/i.test(meridiem) ? 12 : 0);
}

function offsetAt(zoneOrOffset: string, instant: Temporal.Instant): string {
  return /^[+-]/.test(zoneOrOffset) ? zoneOrOffset : instant.toZonedDateTimeISO(zoneOrOffset).offset;
}

function outOfRange(times: readonly TimedField[], maxDays: number): TimeDoubt[] {
  const doubts: TimeDoubt[] = [];
  for (const { field, time } of times) {
    const year = time.instant.toZonedDateTimeISO('UTC').year;
    if (year < PLAUSIBLE_YEARS[0] || year > PLAUSIBLE_YEARS[1]) {
      doubts.push({
        field,
        ruleId: 'import-range',
        message: `\`${field}\` ${time.text} is outside the years ${PLAUSIBLE_YEARS[0]}–${PLAUSIBLE_YEARS[1]}; correct the source`,
      });
    }
  }
  const started = times.find((t) => t.field === 'started');
  if (!started) return doubts;
  for (const { field, time } of times) {
    if (field === 'started' || field === 'detected') continue;
    const minutes = (time.instant.epochMilliseconds - started.time.instant.epochMilliseconds) / 60000;
    if (minutes < 0)
      doubts.push({
        field,
        ruleId: 'import-range',
        message: `\`${field}\` ${time.text} is before \`started\` ${started.time.text}; a zone label is likely wrong: correct the source`,
      });
    else if (minutes > maxDays * 1440)
      doubts.push({
        field,
        ruleId: 'import-range',
        message: `\`${field}\` ${time.text} is more than ${maxDays} days after \`started\` ${started.time.text}; correct the source, or raise \`max_days\` in the map`,
      });
  }
  return doubts;
}
