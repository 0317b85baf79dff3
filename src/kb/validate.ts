import type { Config } from '../schema/config.js';
import { toIncident, type Incident } from '../model/incident.js';
import { parseDate, type Temporal, today as todayIn } from '../model/time.js';
import type { Problem } from '../problems.js';
import type { SourceFile } from '../source/read.js';
import { locate } from '../source/locate.js';
import { RULES } from '../rules/index.js';
import type { Target } from '../rules/rule.js';

export interface Validated {
  /** Incidents without errors, in file order. */
  incidents: Incident[];
  /** Problems of all files, unsorted. */
  problems: Problem[];
}

function isPosition(at: Target): at is { line: number; column: number } {
  return !Array.isArray(at);
}

/** The date the knowledge base is evaluated at: `--now`, else the config's `as_of`, else today. */
export function resolveToday(config: Config, now?: string): Temporal.PlainDate {
  const text = now ?? config.as_of;
  if (text) {
    const date = parseDate(text.slice(0, 10));
    if (date) return date;
  }
  return todayIn(config.timezone);
}

/** What the per-file stage found: the incident (when it has no errors of its own) and its problems. */
export interface SourceValidation {
  incident?: Incident;
  /** A draft without \`started\` and without errors: valid, but kept out of the knowledge base's incidents (no time to place it by). */
  undated?: boolean;
  problems: Problem[];
}

/** The per-file stage: read problems, schema, typed step, then every incident rule. */
export function validateSource(source: SourceFile, config: Config, today: Temporal.PlainDate): SourceValidation {
  const problems: Problem[] = [...source.problems];
  const { incident, partial, setAside = [], undated, problems: found } = toIncident(source, config);
  problems.push(...found);
  // The incident-level rules also look at an incident with field errors (set aside), so one run shows every problem.
  const checked = incident ?? partial;
  // A file that could not be read completely (e.g. too large) is never a valid incident.
  if (!checked || source.problems.some((p) => p.severity === 'error')) return { problems };
  const own: Problem[] = [];
  for (const rule of RULES) {
    if (!rule.checkIncident) continue;
    rule.checkIncident({
      incident: checked,
      source,
      config,
      today,
      report(message, at) {
        if (!isPosition(at) && setAside.includes(String(at[0]))) return;
        const pos = isPosition(at) ? at : locate(source.positions, at, { rootLine: source.frontmatterLine });
        own.push({ file: source.file, line: pos.line, column: pos.column, severity: rule.severity, ruleId: rule.id, message });
      },
    });
  }
  problems.push(...own);
  if (undated) return problems.some((p) => p.severity === 'error') ? { problems } : { undated, problems };
  return !incident || own.some((p) => p.severity === 'error') ? { problems } : { incident, problems };
}

/**
 * The cross-file stage over the incidents that passed the per-file stage: its problems and
 * the files it rejects. `sources` holds every read file (valid or not), by path.
 */
export function validateAcross(
  incidents: readonly Incident[],
  sources: ReadonlyMap<string, SourceFile>,
  config: Config,
): { problems: Problem[]; rejected: Set<string> } {
  const problems: Problem[] = [];
  const rejected = new Set<string>();
  for (const rule of RULES) {
    if (!rule.checkKnowledgeBase) continue;
    rule.checkKnowledgeBase({
      incidents,
      sources,
      config,
      report(file, message, at) {
        const source = sources.get(file);
        const pos = isPosition(at) ? at : locate(source?.positions ?? {}, at, { rootLine: source?.frontmatterLine ?? 1 });
        problems.push({ file, line: pos.line, column: pos.column, severity: rule.severity, ruleId: rule.id, message });
        if (rule.severity === 'error') rejected.add(file);
      },
    });
  }
  return { problems, rejected };
}

/** Validates read files: schema, typed step, every incident rule, then the cross-file rules. */
export function validateSources(sources: readonly SourceFile[], config: Config, today: Temporal.PlainDate): Validated {
  const problems: Problem[] = [];
  const valid: Incident[] = [];
  for (const source of sources) {
    const result = validateSource(source, config, today);
    problems.push(...result.problems);
    if (result.incident) valid.push(result.incident);
  }
  const across = validateAcross(valid, new Map(sources.map((s) => [s.file, s])), config);
  problems.push(...across.problems);
  return {
    incidents: valid.filter((i) => !across.rejected.has(i.file)),
    problems,
  };
}
