import type { ImpactLevel, TimelineKind } from '../schema/incident.js';
import type { Position } from '../problems.js';
import { mapValue, type Mapping, type MapTarget } from './mapping.js';

/** The time fields a source may give. */
export const TIME_FIELDS = ['started', 'detected', 'mitigated', 'resolved'] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

/**
 * What one foreign record says, in the record's terms but still as the source wrote it (times
 * unread, categories unmapped): the one shape every reader produces.
 */
export interface Facts {
  /** Input file as shown in messages, and where the record starts in it. */
  file: string;
  at: Position;
  /** Where each fact came from in the input, by fact name (`title`, `started`, `category`, ...). */
  positions: Partial<Record<string, Position>>;
  sourceId?: string;
  url?: string;
  title?: string;
  times: Partial<Record<TimeField, string>>;
  severity?: string;
  categories: string[];
  services: string[];
  summary?: string;
  tags: string[];
  company?: string;
  level?: ImpactLevel;
  timeline: { at: string; event: string; kind: TimelineKind; public: boolean; position: Position }[];
  body?: string;
  extra: Record<string, unknown>;
}

/** A record of a mapped layout (front-matter or a spreadsheet row): its fields by source name, each with a position. */
export interface ForeignRecord {
  file: string;
  at: Position;
  values: Record<string, unknown>;
  positions: Record<string, Position>;
  /** The Markdown after the front-matter (md-frontmatter). */
  body?: string;
}

/** Text of a scalar value; undefined for nothing, an empty text, or a list or mapping. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A list value: a YAML list, or a text separated by commas or semicolons (a spreadsheet cell). */
export function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(scalarText).filter((v): v is string => v !== undefined);
  const text = scalarText(value);
  return text === undefined
    ? []
    : text
        .split(/[,;]/)
        .map((v) => v.trim())
        .filter(Boolean);
}

/** Facts of a mapped record: each mapped source field read as its record fact. */
export function factsFromMapping(record: ForeignRecord, mapping: Mapping): Facts {
  const source = (target: MapTarget) => mapping.fields[target];
  const value = (target: MapTarget) => (source(target) === undefined ? undefined : record.values[source(target)!]);
  const text = (target: MapTarget) => scalarText(value(target));
  const positions: Facts['positions'] = {};
  for (const [target, from] of Object.entries(mapping.fields)) {
    if (from !== undefined && record.positions[from]) positions[target] = record.positions[from];
  }
  const times: Facts['times'] = {};
  for (const field of ['started', 'detected', 'mitigated', 'resolved'] as const) {
    const t = text(field);
    if (t !== undefined) times[field] = t;
  }
  const extra: Record<string, unknown> = {};
  for (const key of mapping.extra) if (record.values[key] !== undefined) extra[key] = record.values[key];
  const bodyField = source('body');
  return {
    file: record.file,
    at: record.at,
    positions,
    sourceId: text('id'),
    url: text('url'),
    title: text('title'),
    times,
    severity: text('severity'),
    categories: listOf(value('category')),
    services: listOf(value('services')),
    summary: text('summary'),
    tags: listOf(value('tags')),
    company: text('company'),
    timeline: [],
    body: record.body ?? (bodyField === undefined ? undefined : scalarText(record.values[bodyField])),
    extra,
  };
}

/** The configured category a source category maps to, if any. */
export const categoryOf = (mapping: Mapping | undefined, value: string) => (mapping ? mapValue(mapping.categories, value) : undefined);
