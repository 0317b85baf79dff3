import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import type { Temporal } from '../model/time.js';
import { sortProblems, type Problem } from '../problems.js';
import { emptySource, type SourceFile } from '../source/read.js';
import { readSourceFast } from '../db/fast-read.js';
import { loadConfig } from './config.js';
import { knownIdsOf, scanIncidentFiles } from './files.js';
import { requireRoot } from './targets.js';
import { resolveToday, validateSources } from './validate.js';

export interface KnowledgeBase {
  root: string;
  config: Config;
  today: Temporal.PlainDate;
  sources: SourceFile[];
  /** The files whose problems are reported (all incident files unless paths were given). */
  checked: string[];
  /** Valid incidents, in file order. */
  incidents: Incident[];
  /** All problems (config and incidents), sorted by file and position. */
  problems: Problem[];
}

export interface LoadOptions {
  root: string;
  /** Limit reporting to these files or folders (relative to cwd); cross-file rules still see the whole knowledge base. */
  paths?: readonly string[];
  /** Evaluation date `YYYY-MM-DD` (overdue checks). */
  now?: string;
  cwd?: string;
}

/**
 * Reads one file from disk (by the fast reader, which gives `readSource`'s result without
 * parsing the Markdown of plain files); an unreadable file becomes a located problem.
 */
export function readSourceFile(root: string, file: string, config: Config): SourceFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(root, file));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read file (${(e as Error).message})`;
    return emptySource(file, '', [{ file, line: 1, column: 1, severity: 'error', ruleId: 'frontmatter', message: reason }]);
  }
  // The build's reader: the same result (test/db-fast-read.test.ts), without one remark tree
  // for the whole body, whose size made `check` of a file with 50,000 sections take a gigabyte.
  return readSourceFast(file, bytes, { maxBytes: config.validation.max_file_kb * 1024 });
}

/** Loads the config and every incident, and runs every rule. Reads each file exactly once. */
export function loadKnowledgeBase(options: LoadOptions): KnowledgeBase {
  const { root } = options;
  requireRoot(root);
  const scanned = scanIncidentFiles(root);
  const loaded = loadConfig(root, knownIdsOf(scanned.files));
  const config = loaded.config;
  const today = resolveToday(config, options.now);
  const all = scanned.files;
  const named = options.paths?.length ? scanIncidentFiles(root, options.paths, options.cwd) : scanned;
  const selected = named.files;
  const files = [...new Set([...all, ...selected])].sort();
  const sources = files.map((f) => readSourceFile(root, f, config));
  const { incidents, problems } = validateSources(sources, config, today);
  const wanted = new Set(selected);
  const reported = options.paths?.length ? problems.filter((p) => wanted.has(p.file)) : problems;
  return {
    root,
    config,
    today,
    sources,
    checked: selected,
    incidents,
    problems: sortProblems([...loaded.problems, ...named.problems, ...reported]),
  };
}
