import type { Config } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import type { Position, Severity } from '../problems.js';
import type { SourceFile } from '../source/read.js';
import type { Temporal } from '../model/time.js';

/** Where a rule points: a front-matter path (located through the YAML) or a position. */
export type Target = readonly PropertyKey[] | Position;

export interface IncidentContext {
  incident: Incident;
  source: SourceFile;
  config: Config;
  /** The date the knowledge base is evaluated at (overdue checks). */
  today: Temporal.PlainDate;
  report(message: string, at: Target): void;
}

export interface KnowledgeBaseContext {
  incidents: readonly Incident[];
  sources: ReadonlyMap<string, SourceFile>;
  config: Config;
  report(file: string, message: string, at: Target): void;
}

/**
 * An example a rule's test runs: files of a small knowledge base (paths relative to its root;
 * `postmortem.config.yaml` allowed) and the exact problems of this rule that `check` reports.
 */
export interface RuleExample {
  name: string;
  files: Record<string, string | Uint8Array>;
  /** Fixed date for the clock (`--now`). */
  now?: string;
  /** `path:line:col: severity message [rule-id]` lines, for this rule only. Empty for ok examples. */
  expect: string[];
}

export interface Rule {
  id: string;
  severity: Severity;
  /** One sentence for the docs: what the rule reports. */
  description: string;
  /** Which stage finds the problem: reading the file, the schema, one incident, or all of them. */
  stage: 'read' | 'schema' | 'incident' | 'knowledge-base';
  checkIncident?(ctx: IncidentContext): void;
  checkKnowledgeBase?(ctx: KnowledgeBaseContext): void;
  examples: { ok: RuleExample[]; notOk: RuleExample[] };
}
