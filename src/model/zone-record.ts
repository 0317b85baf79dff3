import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Temporal } from 'temporal-polyfill';

/**
 * Today's date in a named zone without ICU on most starts: ICU's first date formatter (the one
 * Temporal makes for a zone) costs ~10% of `check` of one file, for one offset. A zone's offset
 * is constant between two of its transitions, so the first run records the span around now
 * (from Temporal: its previous and next transitions, at most 30 days either way) with the
 * offset; later runs inside that span read the date from the clock and the offset. The record
 * belongs to the Node, ICU and tz-data versions that made it; another version ignores it.
 */
export interface ZoneSpan {
  /** First instant of the span (ms since the epoch). */
  from: number;
  /** First instant after it. */
  until: number;
  /** The zone's offset from UTC throughout the span (ms). */
  offset: number;
}

const MAX_SPAN_MS = 30 * 86_400_000;
const VERSION = `${process.version} ${process.versions.icu} ${process.versions.tz}`;

/** The span of constant offset around `ms` in `zone`, as Temporal sees it (throws for a zone it does not know). */
export function zoneSpanAt(zone: string, ms: number): ZoneSpan {
  const zoned = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
  // the last transition at or before `ms` ('previous' is strictly before the instant it starts from)
  const justAfter = Temporal.Instant.fromEpochNanoseconds(zoned.epochNanoseconds + 1n).toZonedDateTimeISO(zone);
  const before = justAfter.getTimeZoneTransition('previous')?.epochMilliseconds ?? Number.NEGATIVE_INFINITY;
  const after = zoned.getTimeZoneTransition('next')?.epochMilliseconds ?? Number.POSITIVE_INFINITY;
  return {
    from: Math.max(before, ms - MAX_SPAN_MS),
    until: Math.min(after, ms + MAX_SPAN_MS),
    offset: zoned.offsetNanoseconds / 1e6,
  };
}

/** The local date at `ms` in a span that holds it. */
export function dateInSpan(span: ZoneSpan, ms: number): Temporal.PlainDate {
  const local = new Date(ms + span.offset);
  return new Temporal.PlainDate(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
}

/** `$XDG_CACHE_HOME/postmortem-kb/zones.json`, else under `~/.cache`: beside the code cache. */
export function zoneRecordPath(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'postmortem-kb', 'zones.json');
}

type Spans = Record<string, [from: number, until: number, offset: number]>;

function readSpans(path: string): Spans {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as { version?: string; zones?: Spans };
    return record.version === VERSION && record.zones ? record.zones : {};
  } catch {
    return {};
  }
}

/**
 * A recorded span of the shape this file writes: three finite numbers, a span no longer than
 * two of `MAX_SPAN_MS` and an offset of less than a day. Anything else (a hand-edited or damaged
 * record) is not used, and the span is found again.
 */
function isSpan(kept: unknown): kept is Spans[string] {
  if (!Array.isArray(kept) || kept.length !== 3 || !kept.every((n) => Number.isFinite(n))) return false;
  const [from, until, offset] = kept as number[];
  return from! < until! && until! - from! <= 2 * MAX_SPAN_MS && Math.abs(offset!) < 86_400_000;
}

/** A record that cannot be written is only a slower next start. */
function writeSpans(path: string, zones: Spans): void {
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`; // worker threads share the pid
    writeFileSync(temp, JSON.stringify({ version: VERSION, zones }));
    renameSync(temp, path);
  } catch {
    // left as it was
  }
}

/** The recorded span of `zone` holding `ms`, else one found now and recorded; undefined for a zone Temporal does not know. */
export function spanOf(zone: string, ms: number, path = zoneRecordPath()): ZoneSpan | undefined {
  const zones = readSpans(path);
  const kept = Object.hasOwn(zones, zone) ? zones[zone] : undefined;
  if (isSpan(kept) && kept[0] <= ms && ms < kept[1]) return { from: kept[0], until: kept[1], offset: kept[2] };
  let span: ZoneSpan;
  try {
    span = zoneSpanAt(zone, ms);
  } catch {
    return undefined;
  }
  writeSpans(path, { ...zones, [zone]: [span.from, span.until, span.offset] });
  return span;
}
