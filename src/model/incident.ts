import type { Config } from '../schema/config.js';
import { incidentSchema, TIMELINE_KINDS, TIMESTAMP_FIELDS, type IncidentData, type TimelineKind } from '../schema/incident.js';
import type { Problem } from '../problems.js';
import type { SourceFile } from '../source/read.js';
import type { Section } from '../source/sections.js';
import { locate } from '../source/locate.js';
import { schemaProblems } from './schema-issues.js';
import { parseDate, parseTimestamp, Temporal, type Instant } from './time.js';

export interface TimelineEntry {
  at: Instant;
  event: string;
  kind: TimelineKind;
  public: boolean;
  source: 'front-matter' | 'body';
  line: number;
  column: number;
}

/** A validated incident with real instants: what every command after `check` works on. */
export type Incident = Omit<IncidentData, 'started' | 'detected' | 'mitigated' | 'resolved' | 'timeline'> & {
  started: Instant;
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

function stripUnknown(value: unknown, keys: Set<string>, path: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => stripUnknown(v, keys, `${path}.${i}`));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (!keys.has(p)) out[k] = stripUnknown(v, keys, p);
    }
    return out;
  }
  return value;
}

/**
 * Validates a read file against the schema and turns timestamps into instants.
 * Unknown fields are warnings: the incident is still built without them.
 */
export function toIncident(source: SourceFile, config: Config): { incident?: Incident; problems: Problem[] } {
  const problems: Problem[] = [];
  if (source.data === undefined) return { problems };
  const file = source.file;
  const rootLine = source.frontmatterLine;
  if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
    problems.push({ file, line: rootLine + 1, column: 1, severity: 'error', ruleId: 'field-type', message: 'front-matter must be a mapping of fields' });
    return { problems };
  }
  const schema = schemaFor(config);
  let result = schema.safeParse(source.data);
  if (!result.success) {
    problems.push(...schemaProblems(file, result.error.issues, source.data, source.positions, rootLine));
    const onlyUnknown = result.error.issues.every((i) => i.code === 'unrecognized_keys');
    if (!onlyUnknown) return { problems };
    const unknown = new Set<string>();
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) unknown.add([...issue.path.map(String), k].join('.'));
      }
    }
    result = schema.safeParse(stripUnknown(source.data, unknown, ''));
    if (!result.success) return { problems };
  }
  const data = result.data;
  const at = (path: PropertyKey[]) => locate(source.positions, path, { rootLine });

  const instants: Partial<Record<(typeof TIMESTAMP_FIELDS)[number], Instant>> = {};
  const offsets: Partial<Record<string, string>> = {};
  const timestampProblem = (path: PropertyKey[], value: string, reason: 'no-offset' | 'invalid' | 'out-of-range') => {
    const name = `\`${path.join('.')}\` ${JSON.stringify(value)}`;
    problems.push({
      file, ...at(path), severity: 'error',
      ruleId: reason === 'no-offset' ? 'timestamp-offset' : 'field-value',
      message: reason === 'no-offset'
        ? `${name} has no UTC offset; write it with one, e.g. ${value.replace(' ', 'T')}-05:00 or ${value.replace(' ', 'T')}Z`
        : reason === 'out-of-range'
          ? `${name} is outside the years 0001 to 9999 in UTC`
          : `${name} is not a real date and time`,
    });
  };
  for (const field of TIMESTAMP_FIELDS) {
    const value = data[field];
    if (value === undefined) continue;
    const parsed = parseTimestamp(value);
    if (parsed.ok) {
      instants[field] = parsed.instant;
      offsets[field] = parsed.offset;
    } else timestampProblem([field], value, parsed.reason);
  }

  data.remediations.forEach((r, i) => {
    if (r.due !== undefined && !parseDate(r.due)) {
      problems.push({ file, ...at(['remediations', i, 'due']), severity: 'error', ruleId: 'field-value', message: `\`remediations[${i}].due\` ${r.due} is not a real date` });
    }
  });

  const timeline: TimelineEntry[] = [];
  data.timeline.forEach((entry, i) => {
    const parsed = parseTimestamp(entry.at);
    const pos = at(['timeline', i]);
    if (!parsed.ok) return timestampProblem(['timeline', i, 'at'], entry.at, parsed.reason);
    timeline.push({ at: parsed.instant, event: entry.event, kind: entry.kind, public: entry.public, source: 'front-matter', ...pos });
  });

  // Body entries: a time alone takes the date and offset of the entry before it (or of `started`).
  let prevDate = data.started.slice(0, 10);
  let prevOffset = offsets.started;
  for (const item of source.bodyTimeline) {
    const date = item.date ?? prevDate;
    const offset = item.offset ?? (item.date ? undefined : prevOffset);
    const text = `${date}T${item.time.length === 5 ? `${item.time}:00` : item.time}${offset ?? ''}`;
    const parsed = parseTimestamp(text);
    if (!parsed.ok) {
      problems.push({
        file, line: item.line, column: item.column, severity: 'error',
        ruleId: parsed.reason === 'no-offset' ? 'timestamp-offset' : 'field-value',
        message: parsed.reason === 'no-offset'
          ? `timeline entry "${item.date} ${item.time}" has no UTC offset; add one, e.g. "${item.date} ${item.time} -05:00"`
          : `timeline entry time "${item.date ?? ''} ${item.time}" is not a real date and time`,
      });
      continue;
    }
    if (item.kind !== undefined && !(TIMELINE_KINDS as readonly string[]).includes(item.kind)) {
      problems.push({
        file, line: item.line, column: item.column, severity: 'error', ruleId: 'enum-value',
        message: `timeline entry kind must be one of ${TIMELINE_KINDS.join(', ')}; got "${item.kind}"`,
      });
      continue;
    }
    prevDate = date;
    prevOffset = parsed.offset;
    timeline.push({
      at: parsed.instant, event: item.event, kind: (item.kind ?? 'note') as TimelineKind, public: item.public,
      source: 'body', line: item.line, column: item.column,
    });
  }
  timeline.sort((a, b) => Temporal.Instant.compare(a.at, b.at) || (a.source === b.source ? a.line - b.line : a.source === 'front-matter' ? -1 : 1));

  if (problems.some((p) => p.severity === 'error') || !instants.started) return { problems };

  const sectionText = (key: string) => source.sections.find((s) => s.key === key)?.markdown || undefined;
  const incident: Incident = {
    ...data,
    started: instants.started,
    detected: instants.detected,
    mitigated: instants.mitigated,
    resolved: instants.resolved,
    timeline,
    sections: source.sections,
    customer_summary: data.customer?.summary ?? sectionText('customer-summary'),
    internal_notes: sectionText('internal-notes'),
    file,
    digest: source.digest,
  };
  if (incident.detected === undefined) delete incident.detected;
  if (incident.mitigated === undefined) delete incident.mitigated;
  if (incident.resolved === undefined) delete incident.resolved;
  return { incident, problems };
}
