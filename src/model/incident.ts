import type { z } from 'zod';
import type { Config } from '../schema/config.js';
import {
  DATE_PATTERN,
  incidentSchema,
  isTimestampShapeIssue,
  TIMELINE_KINDS,
  TIMESTAMP_FIELDS,
  type IncidentData,
  type RootCause,
  type TimelineKind,
  type WindowData,
} from '../schema/incident.js';
import { readClockTimestamp, type BodyTimelineItem, type EntryTime } from '../source/body-timeline.js';
import { implicitWindow, type ImpactWindow } from './impact.js';
import { resolveAttribution, type Attribution } from './attribution.js';
import type { Problem } from '../problems.js';
import type { SourceFile } from '../source/read.js';
import type { Section } from '../source/sections.js';
import { locate } from '../source/locate.js';
import { fieldName, flattenUnions, schemaProblems, withoutUnknownKeys } from './schema-issues.js';
import { isRealDate, parseDate, parseTimestamp, Temporal, type Instant } from './time.js';

export interface TimelineEntry {
  /** For a day-precision entry: the start of that day at the offset of `started`. */
  at: Instant;
  event: string;
  kind: TimelineKind;
  public: boolean;
  precision: 'minute' | 'day';
  /** The day as written, for a day-precision entry (documents print it, not `at` in their zone). */
  day?: string;
  approximate: boolean;
  source: 'front-matter' | 'body';
  line: number;
  column: number;
}

/** A validated incident with real instants: what every command after `check` works on. */
export type Incident = Omit<
  IncidentData,
  'started' | 'detected' | 'mitigated' | 'resolved' | 'timeline' | 'root_cause' | 'provider' | 'attribution'
> & {
  /** Who caused the incident and who fixed it (absent: not attributed); each window has its own or this one. */
  attribution?: Attribution;
  /** The first cause (compatibility); `root_causes` holds all of them. */
  root_cause: RootCause;
  root_causes: RootCause[];
  /** The first provider (compatibility); `providers` holds all of them. */
  provider?: string;
  providers: string[];
  /** `impact.windows`, or the one implicit window; every impact number is computed from these. */
  windows: ImpactWindow[];
  /** `impact.affected`, else `impact.customers_affected` as a count of customers. */
  affected?: { count: number; of: string };
  /** For a day-precision `started` (a date alone): the start of that day in the config's time zone. */
  started: Instant;
  /** `day` when `started` is a date alone (durations from it are not measured); absent for a full timestamp. */
  started_precision?: 'day';
  detected?: Instant;
  mitigated?: Instant;
  resolved?: Instant;
  /** Front-matter and body entries, merged and sorted by time. */
  timeline: TimelineEntry[];
  /** Body sections in source order. */
  sections: Section[];
  /** Customer summary (Markdown), from `customer.summary` or the `## Customer summary` section. */
  customer_summary?: string;
  /** Internal notes (Markdown) from the `## Internal notes` section. */
  internal_notes?: string;
  /** Path relative to the knowledge-base root. */
  file: string;
  digest: string;
};

const schemaCache = new WeakMap<Config, { strict: ReturnType<typeof incidentSchema> }>();

export function schemaFor(config: Config) {
  let cached = schemaCache.get(config);
  if (!cached) {
    cached = { strict: incidentSchema({ severities: config.severities, categories: config.categories }) };
    schemaCache.set(config, cached);
  }
  return cached.strict;
}

/**
 * The data with each field error set aside, so the rest can still be checked: first each bad
 * field is removed (its default, if any, applies); what is still wrong then is dropped with its
 * list item, or, outside lists, becomes the first allowed value, or (a mapping missing a field)
 * is removed with its mapping; a required top-level field still missing then gets a stand-in
 * value, named in `setAside` so no rule reports on it. Only for `partial` incidents,
 * which are checked, never kept.
 */
function repairedParse(schema: ReturnType<typeof schemaFor>, data: unknown, issues: readonly z.core.$ZodIssue[]) {
  const once = removeFields(data, issues);
  const first = schema.safeParse(once);
  if (first.success) return { result: first, setAside: [] };
  const twice = dropItems(once, flattenUnions(first.error.issues));
  const second = schema.safeParse(twice);
  if (second.success) return { result: second, setAside: [] };
  const setAside = [...new Set(second.error.issues.map((i) => i.path[0]).filter((k): k is string => typeof k === 'string'))];
  const filled = { ...(twice as Record<string, unknown>) };
  for (const key of setAside) filled[key] = standIn(schema.shape[key as keyof typeof schema.shape]);
  return { result: schema.safeParse(filled), setAside };
}

type StandInDef = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  shape?: Record<string, z.ZodType>;
  entries?: Record<string, string>;
};

/** A value the field's schema accepts, standing in for an unusable one (never kept, never reported on). */
function standIn(schema: z.ZodType | undefined): unknown {
  if (!schema) return undefined;
  const def = (schema as unknown as { _zod: { def: StandInDef } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
      return undefined;
    case 'pipe':
      return standIn(def.in);
    case 'string':
      return 'set-aside';
    case 'enum':
      return Object.values(def.entries!)[0];
    case 'array':
      return [standIn(def.element)];
    case 'union':
      return standIn(def.options![0]);
    case 'object':
      return Object.fromEntries(
        Object.entries(def.shape!)
          .map(([k, v]) => [k, standIn(v)])
          .filter(([, v]) => v !== undefined),
      );
    default:
      return undefined;
  }
}

const fieldIssues = (issues: readonly z.core.$ZodIssue[]) => issues.filter((i) => i.code !== 'unrecognized_keys' && i.path.length > 0);

function removeFields(data: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(data);
  for (const { path } of fieldIssues(issues)) {
    const parent = valueAt(copy, path.slice(0, -1));
    if (parent && typeof parent === 'object' && !Array.isArray(parent)) delete (parent as Record<PropertyKey, unknown>)[path.at(-1)!];
  }
  return copy;
}

function dropItems(data: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(data);
  const drops: { list: unknown[]; index: number }[] = [];
  for (const issue of fieldIssues(issues)) {
    const path = issue.path;
    const listAt = path.findLastIndex((seg) => typeof seg === 'number');
    const parent = valueAt(copy, listAt >= 0 ? path.slice(0, listAt) : path.slice(0, -1));
    if (listAt >= 0 && Array.isArray(parent)) drops.push({ list: parent, index: path[listAt] as number });
    else if (parent && typeof parent === 'object' && issue.code === 'invalid_value' && issue.values.length > 0) {
      (parent as Record<PropertyKey, unknown>)[path.at(-1)!] = issue.values[0];
    } else if (path.length >= 2) {
      // a mapping still missing a field: set the whole mapping aside
      const grandparent = valueAt(copy, path.slice(0, -2));
      if (grandparent && typeof grandparent === 'object') delete (grandparent as Record<PropertyKey, unknown>)[path.at(-2)!];
    }
  }
  // from the last index down, so earlier indexes stay right
  for (const { list, index } of drops.sort((a, b) => b.index - a.index)) list.splice(index, 1);
  return copy;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

/**
 * Validates a read file against the schema and turns timestamps into instants.
 * Unknown fields are warnings: the incident is still built without them. With errors there is
 * no `incident`, but `partial` (when enough is readable) for the incident-level rules, so one
 * run reports every problem.
 */
export function toIncident(
  source: SourceFile,
  config: Config,
): { incident?: Incident; partial?: Incident; setAside?: string[]; undated?: boolean; problems: Problem[] } {
  const problems: Problem[] = [];
  if (source.data === undefined) return { problems };
  const file = source.file;
  const rootLine = source.frontmatterLine;
  if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
    problems.push({
      file,
      line: rootLine + 1,
      column: 1,
      severity: 'error',
      ruleId: 'field-type',
      message: 'front-matter must be a mapping of fields',
    });
    return { problems };
  }
  const raw = source.data as Record<string, unknown>;
  // Only a draft may leave `started` out (imported history with no known start).
  const undated = raw.started === undefined && raw.status === 'draft';
  if (raw.started === undefined && !undated) {
    problems.push({
      file,
      ...locate(source.positions, ['started'], { rootLine }),
      severity: 'error',
      ruleId: 'required-field',
      message: 'missing required field `started`',
    });
  }
  const schema = schemaFor(config);
  let result = schema.safeParse(source.data);
  /** True when field errors were set aside so the incident-level rules can still look at the rest. */
  let repaired = false;
  /** Top-level fields replaced by stand-ins: no rule reports on them. */
  let setAside: string[] = [];
  if (!result.success) {
    const issues = flattenUnions(result.error.issues);
    const clocks = clockProblems(issues, source.data, config);
    for (const { issue, message } of clocks)
      problems.push({ file, ...locate(source.positions, issue.path, { rootLine }), severity: 'error', ruleId: 'time-format', message });
    const others = issues.filter((i) => !clocks.some((c) => c.issue === i));
    problems.push(...schemaProblems(file, others, source.data, source.positions, rootLine, schema, 'extra'));
    const stripped = withoutUnknownKeys(source.data, issues);
    repaired = !issues.every((i) => i.code === 'unrecognized_keys');
    if (repaired) ({ result, setAside } = repairedParse(schema, stripped, issues));
    else result = schema.safeParse(stripped);
    if (!result.success) return { problems };
  }
  const data = result.data;
  const at = (path: PropertyKey[]) => locate(source.positions, path, { rootLine });

  const instants: Partial<Record<(typeof TIMESTAMP_FIELDS)[number], Instant>> = {};
  const offsets: Partial<Record<string, string>> = {};
  const timestampProblem = (path: PropertyKey[], value: string, reason: 'no-offset' | 'invalid' | 'out-of-range') => {
    const name = `\`${path.join('.')}\` ${JSON.stringify(value)}`;
    problems.push({
      file,
      ...at(path),
      severity: 'error',
      ruleId: reason === 'no-offset' ? 'timestamp-offset' : 'field-value',
      message:
        reason === 'no-offset'
          ? `${name} has no UTC offset; write it with one, e.g. ${value.replace(' ', 'T')}-05:00 or ${value.replace(' ', 'T')}Z`
          : reason === 'out-of-range'
            ? `${name} is outside the years 0001 to 9999 in UTC`
            : `${name} is not a real date and time`,
    });
  };
  const startedDay = data.started !== undefined && DATE_PATTERN.test(data.started) ? data.started : undefined;
  for (const field of TIMESTAMP_FIELDS) {
    const value = data[field];
    if (value === undefined) continue;
    const parsed = field === 'started' && startedDay !== undefined ? dayInZone(startedDay, config.timezone) : parseTimestamp(value);
    if (parsed.ok) {
      instants[field] = parsed.instant;
      offsets[field] = parsed.offset;
    } else timestampProblem([field], value, parsed.reason);
  }

  data.remediations.forEach((r, i) => {
    if (r.due !== undefined && !isRealDate(r.due)) {
      problems.push({
        file,
        ...at(['remediations', i, 'due']),
        severity: 'error',
        ruleId: 'field-value',
        message: `\`remediations[${i}].due\` ${r.due} is not a real date`,
      });
    }
  });

  const timeline: TimelineEntry[] = [];
  data.timeline.forEach((entry, i) => {
    const day = DATE_PATTERN.test(entry.at);
    const parsed = parseTimestamp(day ? dayStart(entry.at, offsets.started) : entry.at);
    const pos = at(['timeline', i]);
    if (!parsed.ok) return timestampProblem(['timeline', i, 'at'], entry.at, parsed.reason);
    timeline.push(
      timelineEntry({
        at: parsed.instant,
        event: entry.event,
        kind: entry.kind,
        public: entry.public,
        day: day ? entry.at : undefined,
        approximate: entry.approximate,
        source: 'front-matter',
        line: pos.line,
        column: pos.column,
      }),
    );
  });

  const windows: ImpactWindow[] = [];
  (data.impact.windows ?? []).forEach((w, i) => {
    const from = parseTimestamp(w.from);
    const to = w.to === undefined ? undefined : parseTimestamp(w.to);
    if (!from.ok) timestampProblem(['impact', 'windows', i, 'from'], w.from, from.reason);
    if (to && !to.ok) timestampProblem(['impact', 'windows', i, 'to'], w.to!, to.reason);
    if (from.ok && (!to || to.ok)) windows.push(toWindow(w, i, from.instant, to?.ok ? to.instant : undefined, data));
  });
  data.remediations.forEach((r, i) => {
    if (r.completed !== undefined && !isRealDate(r.completed)) {
      problems.push({
        file,
        ...at(['remediations', i, 'completed']),
        severity: 'error',
        ruleId: 'field-value',
        message: `\`remediations[${i}].completed\` ${r.completed} is not a real date`,
      });
    }
  });

  // Body entries: a time alone takes the date and offset of the entry before it (or of `started`).
  let prevDate = data.started?.slice(0, 10);
  let prevOffset = offsets.started;
  for (const item of source.bodyTimeline) {
    const read = bodyInstant(item, prevDate, prevOffset, offsets.started, config);
    if ('problem' in read) {
      problems.push({ file, line: item.line, column: item.column, severity: 'error', ...read.problem });
      continue;
    }
    if (item.kind !== undefined && !(TIMELINE_KINDS as readonly string[]).includes(item.kind)) {
      problems.push({
        file,
        line: item.line,
        column: item.column,
        severity: 'error',
        ruleId: 'enum-value',
        message: `timeline entry kind must be one of ${TIMELINE_KINDS.join(', ')}; got "${item.kind}"`,
      });
      continue;
    }
    if (item.time !== undefined) {
      prevDate = item.date ?? prevDate;
      prevOffset = read.offset;
    }
    timeline.push(
      timelineEntry({
        at: read.instant,
        event: item.event,
        kind: (item.kind ?? 'note') as TimelineKind,
        public: item.public,
        day: item.time === undefined ? item.date! : undefined,
        approximate: item.approximate,
        source: 'body',
        line: item.line,
        column: item.column,
      }),
    );
  }
  timeline.sort(
    (a, b) => Temporal.Instant.compare(a.at, b.at) || (a.source === b.source ? a.line - b.line : a.source === 'front-matter' ? -1 : 1),
  );

  // An undated draft is checked by the incident rules against its earliest known time (nothing is compared to a guess), never kept.
  if (undated)
    instants.started = earliest([
      instants.detected,
      instants.mitigated,
      instants.resolved,
      ...timeline.map((e) => e.at),
      ...windows.map((w) => w.from),
    ]);
  if (!instants.started) return { problems };

  const sectionText = (key: string) => source.sections.find((s) => s.key === key)?.markdown || undefined;
  const root_causes = Array.isArray(data.root_cause) ? data.root_cause : [data.root_cause];
  const providers = data.provider === undefined ? [] : Array.isArray(data.provider) ? data.provider : [data.provider];
  const attribution = resolveAttribution(data.attribution, providers);
  const affected =
    data.impact.affected ??
    (data.impact.customers_affected !== undefined ? { count: data.impact.customers_affected, of: 'customers' } : undefined);
  const { attribution: _written, ...rest } = data;
  // Set field by field on `rest` (a new object), an absent value never set rather than set and then
  // deleted: `delete` of a field in the middle turns an object into a dictionary, and the literal
  // spread with `provider: undefined` then deleted left every incident without a provider (half of
  // the generated ones) in dictionary mode for the rest of the build (every page, row and rule
  // reading it through a hash lookup). The same fields in the same order as the literal gave.
  const incident = rest as unknown as Incident;
  if (attribution) incident.attribution = attribution;
  incident.root_cause = root_causes[0]!;
  incident.root_causes = root_causes;
  setOrOmit(incident, 'provider', providers[0]);
  incident.providers = providers;
  incident.windows = data.impact.windows
    ? windows.map((w) => ({ ...w, ...(w.attribution || !attribution ? {} : { attribution }) }))
    : [implicitWindow({ ...instants, started: instants.started }, data.impact.level, data.services, data.locations, attribution)];
  if (affected) incident.affected = affected;
  incident.started = instants.started;
  if (startedDay !== undefined) incident.started_precision = 'day';
  setOrOmit(incident, 'detected', instants.detected);
  setOrOmit(incident, 'mitigated', instants.mitigated);
  setOrOmit(incident, 'resolved', instants.resolved);
  incident.timeline = timeline;
  incident.sections = source.sections;
  incident.customer_summary = data.customer?.summary ?? sectionText('customer-summary');
  incident.internal_notes = sectionText('internal-notes');
  incident.file = file;
  incident.digest = source.digest;
  // nor held to the timeline rules: with no start there is no window to place entries in
  if (undated) return { partial: incident, setAside: [...setAside, 'started', 'timeline'], undated, problems };
  if (repaired || problems.some((p) => p.severity === 'error')) return { partial: incident, setAside, problems };
  return { incident, problems };
}

/** Sets an optional field, or leaves it out (deleted only if the data had it: a rare, invalid case). */
function setOrOmit<K extends 'provider' | 'detected' | 'mitigated' | 'resolved'>(incident: Incident, key: K, value: Incident[K]): void {
  if (value !== undefined) incident[key] = value;
  else if (key in incident) delete incident[key];
}

/**
 * A timeline entry from its parts (`day` for a day-precision entry), its fields always in one
 * order, `day` only when set. Built field by field: an object spread here (`...(day ? { day } :
 * {})`, `...position`) is a copy V8 makes on its slow path, ~10 µs for each entry of every
 * incident typed.
 */
function timelineEntry(e: Omit<TimelineEntry, 'precision' | 'day'> & { day: string | undefined }): TimelineEntry {
  const entry = {
    at: e.at,
    event: e.event,
    kind: e.kind,
    public: e.public,
    precision: e.day === undefined ? 'minute' : 'day',
  } as TimelineEntry;
  if (e.day !== undefined) entry.day = e.day;
  entry.approximate = e.approximate;
  entry.source = e.source;
  entry.line = e.line;
  entry.column = e.column;
  return entry;
}

/** The earliest of some instants; the Unix epoch when there are none (then nothing is compared to it). */
function earliest(instants: readonly (Instant | undefined)[]): Instant {
  const known = instants.filter((i): i is Instant => i !== undefined);
  return known.length === 0
    ? Temporal.Instant.fromEpochMilliseconds(0)
    : known.reduce((a, b) => (Temporal.Instant.compare(a, b) <= 0 ? a : b));
}

/** The start of a day in a time zone: where a day-precision `started` sits. */
function dayInZone(date: string, zone: string): ReturnType<typeof parseTimestamp> {
  const day = parseDate(date);
  if (!day) return { ok: false, reason: 'invalid' };
  const zoned = day.toZonedDateTime({ timeZone: zone });
  return { ok: true, instant: zoned.toInstant(), offset: zoned.offset };
}

/** `YYYY-MM-DDT00:00` at an offset: where a day-precision entry sits on the timeline. */
function dayStart(date: string, offset: string | undefined): string {
  return `${date}T00:00:00${offset ?? 'Z'}`;
}

function toWindow(w: WindowData, i: number, from: Instant, to: Instant | undefined, data: IncidentData): ImpactWindow {
  const scope =
    w.scope &&
    ('percent' in w.scope
      ? { kind: 'percent' as const, value: w.scope.percent, of: w.scope.of }
      : { kind: 'count' as const, value: w.scope.count, of: w.scope.of });
  return {
    index: i + 1,
    from,
    ...(to ? { to } : {}),
    level: w.level ?? data.impact.level,
    services: w.services ?? data.services,
    locations: w.locations ?? data.locations,
    ...(scope ? { scope } : {}),
    public: w.public,
    ...(w.summary ? { summary: w.summary } : {}),
    implicit: false,
    ...(w.attribution ? { attribution: resolveAttribution(w.attribution, data.provider === undefined ? [] : [data.provider].flat()) } : {}),
  };
}

type BodyRead = { instant: Instant; offset: string } | { problem: { ruleId: string; message: string } };

/** The instant of a body timeline entry, or the problem with it (every message shows the form to write). */
function bodyInstant(
  item: BodyTimelineItem,
  prevDate: string | undefined,
  prevOffset: string | undefined,
  startedOffset: string | undefined,
  config: Config,
): BodyRead {
  if (item.time === undefined) {
    const parsed = parseTimestamp(dayStart(item.date!, startedOffset));
    return parsed.ok ? parsed : { problem: { ruleId: 'field-value', message: `timeline entry day "${item.date}" is not a real date` } };
  }
  const date = item.date ?? prevDate;
  if (date === undefined)
    return {
      problem: {
        ruleId: 'timestamp-offset',
        message: `timeline entry time "${item.time}" has no date (the record has no \`started\`); write it in full, e.g. "2007-06-04 ${item.time} -05:00"`,
      },
    };
  const mapped = item.zone === undefined ? undefined : config.zone_abbreviations.get(item.zone);
  if (item.meridiem !== undefined || (item.zone !== undefined && mapped === undefined)) {
    const written = `${item.time}${item.meridiem ? ` ${item.meridiem}` : ''}${item.zone ? ` ${item.zone}` : ''}`;
    return { problem: { ruleId: 'time-format', message: clockMessage(`timeline entry time "${written}"`, item, date, mapped, bodyForm) } };
  }
  const offset = mapped ?? item.offset ?? (item.date ? undefined : prevOffset);
  const parsed = parseTimestamp(`${date}T${item.time.length === 5 ? `${item.time}:00` : item.time}${offset ?? ''}`);
  if (parsed.ok) return parsed;
  return {
    problem:
      parsed.reason === 'no-offset'
        ? {
            ruleId: 'timestamp-offset',
            message: `timeline entry "${item.date} ${item.time}" has no UTC offset; add one, e.g. "${item.date} ${item.time} -05:00"`,
          }
        : { ruleId: 'field-value', message: `timeline entry time "${item.date ?? ''} ${item.time}" is not a real date and time` },
  };
}

/** Front-matter timestamps written with a 12-hour clock or a zone abbreviation: the message says what to write. */
function clockProblems(issues: readonly z.core.$ZodIssue[], data: unknown, config: Config): { issue: z.core.$ZodIssue; message: string }[] {
  return issues.flatMap((issue) => {
    const value = valueAt(data, issue.path);
    const item = isTimestampShapeIssue(issue) && typeof value === 'string' ? readClockTimestamp(value) : undefined;
    if (!item) return [];
    const mapped = item.zone === undefined ? undefined : config.zone_abbreviations.get(item.zone);
    const name = `\`${fieldName(issue.path)}\` ${JSON.stringify(value)}`;
    return [{ issue, message: clockMessage(name, item, item.date, mapped, isoForm) }];
  });
}

/** How a date, time and offset are written: in the front-matter (ISO 8601) and in a body entry. */
const isoForm = (date: string, time: string, offset: string) => `${date}T${time.length === 5 ? `${time}:00` : time}${offset}`;
const bodyForm = (date: string, time: string, offset: string) => `${date} ${time} ${offset}`.trimEnd();

/** 24-hour HH:MM(:SS) of a 12-hour clock time, or undefined when it is not a real 12-hour time. */
function to24Hour(time: string, meridiem: string): string | undefined {
  const [h, rest] = [Number(time.slice(0, 2)), time.slice(2)];
  if (h < 1 || h > 12) return undefined;
  const pm = /^p/i.test(meridiem);
  return `${String((h % 12) + (pm ? 12 : 0)).padStart(2, '0')}${rest}`;
}

/**
 * The message for a 12-hour clock or an unmapped zone abbreviation: the exact form to write
 * (`form`) when it is known. `name` names the value, e.g. `timeline entry time "9:37 AM"`.
 */
function clockMessage(name: string, item: EntryTime, date: string, mapped: string | undefined, form: typeof isoForm): string {
  const time = item.meridiem ? to24Hour(item.time!, item.meridiem) : item.time!;
  if (time === undefined)
    return `${name} is not a real 12-hour time; write a 24-hour time with a UTC offset, e.g. "${form(date, '09:37', '-05:00')}"`;
  const what = [
    item.meridiem ? 'a 12-hour clock' : '',
    item.zone && mapped === undefined ? `the zone abbreviation ${item.zone}, which is ambiguous` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const offset = mapped ?? item.offset;
  if (offset !== undefined) return `${name} uses ${what}; write "${form(date, time, offset)}"`;
  if (item.zone !== undefined) {
    return `${name} uses ${what}; write "${form(date, time, '±HH:MM')}" with the UTC offset ${item.zone} stood for, or map it in the config's \`zone_abbreviations\` (e.g. ${item.zone}: "-08:00")`;
  }
  return `${name} uses ${what}; write "${form(date, time, '')}" with a UTC offset, e.g. "${form(date, time, '-05:00')}"`;
}
