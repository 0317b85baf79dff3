import { stringify } from 'yaml';
import type { Config } from '../schema/config.js';
import type { Temporal } from '../model/time.js';
import { readSource } from '../source/read.js';
import { validateSource } from '../kb/validate.js';
import type { Draft, RecordProblem } from './convert.js';

/** The fact of the source a record field came from: where its problems point in the input. */
const FACT_OF_FIELD: Record<string, string> = {
  title: 'title',
  severity: 'severity',
  services: 'services',
  started: 'started',
  detected: 'detected',
  mitigated: 'mitigated',
  resolved: 'resolved',
  impact: 'summary',
  root_cause: 'category',
  tags: 'tags',
  source: 'id',
  body: 'body',
};

/** The incident file of a draft, as it is written. */
export function draftText(id: string, draft: Pick<Draft, 'data' | 'body'>): string {
  const yaml = stringify({ id, ...draft.data }, { lineWidth: 0 });
  return `---\n${yaml}---\n${draft.body ? `\n${draft.body.trimEnd()}\n` : ''}`;
}

/**
 * Checks a draft exactly as `postmortem check` checks a file (schema and every incident rule at
 * once), and points each problem back at the input: at the source field the record field came
 * from, else at the record.
 */
export function checkDraft(draft: Draft, id: string, file: string, config: Config, today: Temporal.PlainDate): RecordProblem[] {
  const source = readSource(file, Buffer.from(draftText(id, draft), 'utf8'), { maxBytes: config.validation.max_file_kb * 1024 });
  const { problems } = validateSource(source, config, today);
  const keys = Object.keys(draft.data)
    .map((key) => ({ key, line: source.positions[key]?.keyLine ?? source.positions[key]?.line ?? 0 }))
    .sort((a, b) => a.line - b.line);
  // the closing `---` of the front-matter: problems after it are in the body
  const end = draftText(id, { data: draft.data, body: '' }).split('\n').length - 1;
  return problems.map((p) => {
    const field = p.line > end ? 'body' : keys.filter((k) => k.line <= p.line).at(-1)?.key;
    const fact = field === undefined ? undefined : FACT_OF_FIELD[field];
    const at = (fact !== undefined ? draft.facts.positions[fact] : undefined) ?? draft.facts.at;
    return { at, severity: p.severity, ruleId: p.ruleId, message: `record ${JSON.stringify(draft.sourceId)}: ${p.message}` };
  });
}
