import { isMap, LineCounter, parseDocument, type Node } from 'yaml';
import type { ImpactLevel, TimelineKind } from '../schema/incident.js';
import type { Position, Problem } from '../problems.js';
import { scalarText, type Facts } from './facts.js';
import type { InputFile } from './inputs.js';

/** Status-page impact → the level of the record's impact window. */
export const IMPACT_LEVEL: Record<string, ImpactLevel> = {
  critical: 'outage',
  major: 'partial-outage',
  minor: 'degraded',
  none: 'degraded',
};
/** Status of an update → the kind of its timeline entry. */
export const UPDATE_KIND: Record<string, TimelineKind> = {
  investigating: 'detection',
  identified: 'action',
  monitoring: 'mitigation',
  resolved: 'resolution',
};

/**
 * The JSON of a status page's incidents API, `{"incidents": [...]}` (a bare list too): each
 * incident's facts, with the position of each value. Malformed JSON is one located problem.
 */
export function readStatuspage(input: InputFile): { facts: Facts[]; problems: Problem[] } {
  const problem = (position: Position, message: string): Problem => ({
    file: input.shown,
    ...position,
    severity: 'error',
    ruleId: 'import-syntax',
    message,
  });
  const lines = new LineCounter();
  const positionOf = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  let data: unknown;
  try {
    data = JSON.parse(input.text);
  } catch (error) {
    const offset = /position (\d+)/.exec(String(error))?.[1];
    if (offset !== undefined) parseDocument(input.text, { lineCounter: lines }); // fills `lines` for positionOf
    const place = offset === undefined ? endOf(input.text) : positionOf(Number(offset));
    return {
      facts: [],
      problems: [
        problem(
          place,
          `not valid JSON: ${String((error as Error).message)
            .replace(/^.*?: /, '')
            .replace(/ in JSON at position \d+.*$/, '')}`,
        ),
      ],
    };
  }
  const doc = parseDocument(input.text, { lineCounter: lines, uniqueKeys: false });
  const nodeAt = (path: PropertyKey[]): Position => {
    const node = doc.getIn(path, true) as Node | undefined;
    return node?.range ? positionOf(node.range[0]) : { line: 1, column: 1 };
  };
  const list = Array.isArray(data) ? data : (data as { incidents?: unknown } | null)?.incidents;
  const prefix: PropertyKey[] = Array.isArray(data) ? [] : ['incidents'];
  if (!Array.isArray(list))
    return { facts: [], problems: [problem({ line: 1, column: 1 }, 'expected {"incidents": [...]} (a status page\'s incidents API)')] };
  const facts: Facts[] = [];
  const problems: Problem[] = [];
  list.forEach((incident, i) => {
    const at = (...path: PropertyKey[]) => nodeAt([...prefix, i, ...path]);
    if (incident === null || typeof incident !== 'object' || Array.isArray(incident) || !isMap(doc.getIn([...prefix, i], true))) {
      problems.push(problem(at(), `incident ${i + 1} is not an object`));
      return;
    }
    facts.push(incidentFacts(input.shown, incident as Record<string, unknown>, at));
  });
  return { facts, problems };
}

function endOf(text: string): Position {
  const lines = text.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

function incidentFacts(file: string, incident: Record<string, unknown>, at: (...path: PropertyKey[]) => Position): Facts {
  const text = (key: string) => scalarText(incident[key]);
  const updates = Array.isArray(incident.incident_updates) ? (incident.incident_updates as Record<string, unknown>[]) : [];
  const components = Array.isArray(incident.components) ? (incident.components as Record<string, unknown>[]) : [];
  const timeline: Facts['timeline'] = [];
  updates.forEach((u, n) => {
    const when = scalarText(u?.display_at) ?? scalarText(u?.created_at);
    const body = scalarText(u?.body);
    if (when === undefined || body === undefined) return;
    timeline.push({
      at: when,
      event: body,
      kind: UPDATE_KIND[scalarText(u.status) ?? ''] ?? 'communication',
      public: true,
      position: at('incident_updates', n),
    });
  });
  timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const times: Facts['times'] = {};
  const started = text('started_at');
  const resolved = text('resolved_at');
  if (started !== undefined) times.started = started;
  if (resolved !== undefined) times.resolved = resolved;
  const impact = text('impact');
  return {
    file,
    at: at(),
    positions: {
      id: at('id'),
      title: at('name'),
      started: at('started_at'),
      resolved: at('resolved_at'),
      services: at('components'),
      summary: at('incident_updates'),
      level: at('impact'),
    },
    sourceId: text('id'),
    url: text('shortlink'),
    title: text('name'),
    times,
    categories: [],
    services: components.map((c) => scalarText(c?.name)).filter((n): n is string => n !== undefined),
    summary: timeline[0]?.event,
    tags: [],
    ...(impact !== undefined && IMPACT_LEVEL[impact] ? { level: IMPACT_LEVEL[impact] } : {}),
    timeline,
    extra: {
      ...(impact !== undefined ? { statuspage_impact: impact } : {}),
      ...(text('status') !== undefined ? { statuspage_status: text('status') } : {}),
    },
  };
}
