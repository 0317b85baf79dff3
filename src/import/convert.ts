import type { Config } from '../schema/config.js';
import { UNRATED, type ImportKind } from '../schema/incident.js';
import type { Position, Severity } from '../problems.js';
import { categoryOf, TIME_FIELDS, type Facts, type TimeField } from './facts.js';
import { mapValue, type Mapping } from './mapping.js';
import { timeDoubts, type TimedField } from './plausible.js';
import { dayOf, readForeignTime, type ForeignTime } from './time.js';

/** Root-cause summary of a record nobody has reviewed: says so rather than inventing a cause. */
export const NOT_REVIEWED = 'Not known yet: imported record, not reviewed.';

/** A problem of one record, at a fact (located through `Facts.positions`) or the record itself. */
export interface RecordProblem {
  at: Position;
  severity: Severity;
  ruleId: string;
  message: string;
}

/** A foreign record as an incident draft: its front-matter (in field order, without `id`) and body. */
export interface Draft {
  facts: Facts;
  sourceId: string;
  data: Record<string, unknown>;
  body: string;
  /** The day it started, for the duplicate check and the file name; undefined when unknown. */
  day?: string;
}

const EVENT: Partial<Record<TimeField, string>> = {
  started: 'Impact began (time from the source).',
  resolved: 'Impact ended (time from the source).',
};
const KIND: Record<TimeField, string> = { started: 'trigger', detected: 'detection', mitigated: 'mitigation', resolved: 'resolution' };

/**
 * Turns facts into a draft record: times read without guessing (a day stays a day; a time
 * without a zone takes the map's zone or is reported), values through the map, everything the
 * source lacks said plainly (`severity: unrated`, cause unknown, `status: draft`).
 */
export function toDraft(
  facts: Facts,
  kind: ImportKind,
  mapping: Mapping | undefined,
  config: Config,
): { draft?: Draft; problems: RecordProblem[] } {
  const problems: RecordProblem[] = [];
  const where = (fact: string) => facts.positions[fact] ?? facts.at;
  const report = (fact: string, severity: Severity, ruleId: string, message: string) =>
    problems.push({ at: where(fact), severity, ruleId, message });
  if (facts.sourceId === undefined) {
    report(
      'id',
      'error',
      'import-source',
      `the record has no source id${mapping ? ' (map `fields.id` to the column or key that holds it)' : ''}; re-imports match on it`,
    );
    return { problems };
  }
  const zone = mapping?.zone;
  const times = new Map<TimeField, ForeignTime>();
  for (const field of TIME_FIELDS) {
    const raw = facts.times[field];
    if (raw === undefined) continue;
    const time = readForeignTime(raw, zone, `\`${field}\``);
    if (time.kind === 'problem') report(field, 'error', time.ruleId, time.message);
    else times.set(field, time);
  }
  const timed: TimedField[] = [...times].flatMap(([field, time]) => (time.kind === 'instant' ? [{ field, time }] : []));
  const prose = [facts.title, facts.summary, facts.body].filter(Boolean).join('\n');
  for (const doubt of timeDoubts(timed, prose, mapping?.max_days ?? 30)) report(doubt.field, 'error', doubt.ruleId, doubt.message);

  const timeline: Record<string, unknown>[] = [];
  const front: Record<string, unknown> = {};
  for (const [field, time] of times) {
    if (time.kind === 'problem') continue;
    // a day alone is kept only for `started` (day precision); other days become day-precision timeline entries
    if (time.kind === 'instant' || field === 'started') front[field] = time.text;
    const event = EVENT[field];
    if (event && !facts.timeline.length) timeline.push({ at: time.text, event, kind: KIND[field] });
    else if (time.kind === 'day' && field !== 'started')
      timeline.push({
        at: time.text,
        event: `${field[0]!.toUpperCase()}${field.slice(1)} on this day (the source gives no time).`,
        kind: KIND[field],
      });
  }
  for (const entry of facts.timeline) {
    const time = readForeignTime(entry.at, zone, 'timeline entry');
    if (time.kind === 'problem') problems.push({ at: entry.position, severity: 'error', ruleId: time.ruleId, message: time.message });
    else timeline.push({ at: time.text, event: entry.event, kind: entry.kind, ...(entry.public ? { public: true } : {}) });
  }

  const severity = facts.severity === undefined ? UNRATED : mapValue(mapping?.severities ?? {}, facts.severity);
  if (severity === undefined)
    report('severity', 'warning', 'import-value', `severity "${facts.severity}" is not in the map's \`severities\`; imported as unrated`);
  const categories = facts.categories.map((c) => ({ from: c, to: categoryOf(mapping, c) }));
  for (const c of categories.filter((c) => c.to === undefined)) {
    report(
      'category',
      'warning',
      'import-value',
      `category "${c.from}" is not in the map's \`categories\`; kept under \`extra.source_categories\`, the root cause stays unknown`,
    );
  }
  const causes = [...new Set(categories.map((c) => c.to).filter((c): c is string => c !== undefined))];
  const services = facts.services.length ? facts.services : (mapping?.defaults.services ?? []);
  const started = times.get('started');
  const data: Record<string, unknown> = {
    title: facts.title,
    status: 'draft',
    severity: severity ?? UNRATED,
    services,
    ...front,
    impact: { summary: facts.summary ?? facts.title, ...(facts.level ? { level: facts.level } : {}) },
    root_cause:
      causes.length <= 1
        ? { category: causes[0] ?? 'unknown', summary: NOT_REVIEWED }
        : causes.map((category) => ({ category, summary: NOT_REVIEWED })),
    ...(timeline.length ? { timeline } : {}),
    owners: { authors: mapping?.defaults.authors ?? [config.owners[0]?.id ?? 'unknown'] },
    ...(facts.tags.length ? { tags: facts.tags } : {}),
    source: { kind, id: facts.sourceId, ...(facts.url && /^https?:\/\/\S+$/.test(facts.url) ? { url: facts.url } : {}) },
  };
  const extra = {
    ...(facts.company !== undefined ? { company: facts.company } : {}),
    ...(facts.categories.length ? { source_categories: facts.categories } : {}),
    ...facts.extra,
  };
  if (Object.keys(extra).length) data.extra = extra;
  for (const key of Object.keys(data)) if (data[key] === undefined) delete data[key];
  const day = started ? dayOf(started) : undefined;
  return { draft: { facts, sourceId: facts.sourceId, data, body: facts.body ?? '', ...(day ? { day } : {}) }, problems };
}
