import type { List, ListItem, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';

/**
 * A timeline entry written as a list item in the `## Timeline` section:
 * `- 2007-06-04 09:10 -04:00 — Load balancer 1 saturated` or `- 09:10 — [mitigation, public] ...`.
 * Date and offset may be missing here; the typed step fills them from the previous entry.
 */
export interface BodyTimelineItem {
  date?: string;
  /** HH:MM(:SS), 24-hour; absent for a day-precision entry (`2022-04-14 — …`). */
  time?: string;
  offset?: string;
  /** `~` before the time: approximate. */
  approximate: boolean;
  /** As written, when the time has AM/PM (never read as a time: the typed step reports it). */
  meridiem?: string;
  /** A zone abbreviation such as PST, resolved only through the config's `zone_abbreviations`. */
  zone?: string;
  event: string;
  kind?: string;
  public: boolean;
  line: number;
  column: number;
}

export interface UnreadTimelineItem {
  text: string;
  line: number;
  column: number;
}

const SEPARATOR = '\\s*(?:—|–|-{1,2}|:)\\s*';
/** A time, then optionally AM/PM and an offset or zone abbreviation: groups time, meridiem, zone. */
const CLOCK =
  '(\\d{1,2}:\\d{2}(?::\\d{2})?)' + // time
  '(?:\\s*([AaPp]\\.?[Mm]\\.?)(?![A-Za-z]))?' + // 12-hour clock
  '(?:\\s*(Z|[+-]\\d{2}:?\\d{2}|UTC|[A-Z]{2,5}\\b))?'; // offset or zone abbreviation
const ENTRY = new RegExp(`^(~\\s*)?(?:(\\d{4}-\\d{2}-\\d{2})[ T])?(~\\s*)?${CLOCK}${SEPARATOR}([\\s\\S]+)$`);
/** A whole date and time as written in the front-matter, e.g. `2007-06-04 9:37 AM PST`. */
const WRITTEN = new RegExp(`^(\\d{4}-\\d{2}-\\d{2})[ T]${CLOCK}$`);
/** A day-precision entry: `2022-04-14 — 78% of sites restored`. */
const DAY_ENTRY = new RegExp(`^(~\\s*)?(\\d{4}-\\d{2}-\\d{2})${SEPARATOR}([\\s\\S]+)$`);
const TAGS = /^\[([a-z, -]+)\]\s*/i;

export function readBodyTimeline(nodes: readonly RootContent[]): {
  items: BodyTimelineItem[];
  unread: UnreadTimelineItem[];
} {
  const items: BodyTimelineItem[] = [];
  const unread: UnreadTimelineItem[] = [];
  for (const node of nodes) {
    if (node.type !== 'list') continue;
    for (const item of (node as List).children as ListItem[]) {
      const line = item.position?.start.line ?? 1;
      const column = item.position?.start.column ?? 1;
      const first = item.children[0];
      const text = oneSpaced(first ? toString(first) : '').trim();
      const read = readEntryStart(text);
      if (!read) {
        unread.push({ text, line, column });
        continue;
      }
      let event = read.rest;
      let kind: string | undefined;
      let isPublic = false;
      const tags = TAGS.exec(event);
      if (tags) {
        for (const tag of tags[1]!
          .split(',')
          .map((t) => t.trim().toLowerCase())
          .filter(Boolean)) {
          if (tag === 'public') isPublic = true;
          else kind = tag;
        }
        event = event.slice(tags[0].length).trim();
      }
      // the entry is the time read, completed (not a spread copy: see `readEntryStart`)
      const entry = read.when as BodyTimelineItem;
      entry.event = event;
      entry.kind = kind;
      entry.public = isPublic;
      entry.line = line;
      entry.column = column;
      items.push(entry);
    }
  }
  return { items, unread };
}

/** Whitespace runs made one space each; the text itself when that changes nothing (most entries: no copy made). */
const oneSpaced = (text: string) => (/\s\s|[^\S ]/.test(text) ? text.replace(/\s+/g, ' ') : text);

export type EntryTime = Pick<BodyTimelineItem, 'date' | 'time' | 'offset' | 'approximate' | 'meridiem' | 'zone'>;

/**
 * The time (or day) an entry starts with, and the text after its separator. `when` is built
 * field by field and becomes the entry itself: object spreads here and in `readBodyTimeline`
 * (`{ date, ...clock(), … }`, then the entry spread from it) took three quarters of reading a
 * timeline, ~10 µs an entry, V8 copying objects of many shapes on its slow path.
 */
function readEntryStart(text: string): { when: EntryTime; rest: string } | undefined {
  const day = DAY_ENTRY.exec(text);
  if (day) return { when: { date: day[2], approximate: Boolean(day[1]) }, rest: day[3]!.trim() };
  const m = ENTRY.exec(text);
  if (!m) return undefined;
  // fields in the order documents and the cache have always seen: date, time, offset or zone, meridiem, approximate
  const when = clock({ date: m[2] }, m[4]!, m[5], m[6]) as EntryTime;
  when.approximate = Boolean(m[1] || m[3]);
  return { when, rest: m[7]!.trim() };
}

/**
 * A front-matter date and time written with a 12-hour clock or a zone abbreviation
 * (`2007-06-04 9:37 AM PST`), read like a body entry's; undefined for anything else.
 */
export function readClockTimestamp(text: string): (EntryTime & { date: string; time: string }) | undefined {
  const m = WRITTEN.exec(text.trim());
  if (!m) return undefined;
  const when = { ...clock({ date: m[1]! }, m[2]!, m[3], m[4]), approximate: false };
  return when.meridiem !== undefined || when.zone !== undefined ? when : undefined;
}

/** Adds the parts of a clock time to `into`: 24-hour time as written (HH:MM), offset or zone abbreviation, meridiem. */
function clock<T extends object>(
  into: T,
  time: string,
  meridiem: string | undefined,
  zoneText: string | undefined,
): T & { time: string } & Pick<EntryTime, 'offset' | 'zone' | 'meridiem'> {
  const parts = into as T & { time: string } & Pick<EntryTime, 'offset' | 'zone' | 'meridiem'>;
  parts.time = time.length === 4 ? `0${time}` : time;
  const isOffset = zoneText !== undefined && /^(?:Z|UTC|[+-].*)$/.test(zoneText);
  if (isOffset) parts.offset = zoneText === 'UTC' ? 'Z' : zoneText;
  else if (zoneText !== undefined) parts.zone = zoneText;
  if (meridiem) parts.meridiem = meridiem;
  return parts;
}
