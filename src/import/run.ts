import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Config } from '../schema/config.js';
import { loadConfig } from '../kb/config.js';
import { INCIDENTS_DIR } from '../kb/files.js';
import { isInside, requireRoot } from '../kb/targets.js';
import { resolveToday } from '../kb/validate.js';
import { countBySeverity, sortProblems, type Problem } from '../problems.js';
import { slugify } from '../source/sections.js';
import { writeFilesAtomic } from '../output/write-file.js';
import { UserError, type CommandContext } from '../commands/context.js';
import type { ImportKind } from '../schema/incident.js';
import type { Temporal } from '../model/time.js';
import { factsFromMapping, type Facts } from './facts.js';
import { inputFiles, shownPath } from './inputs.js';
import { loadMapping, type Mapping } from './mapping.js';
import { readMarkdownRecord } from './read-markdown.js';
import { readCsvRecords } from './read-csv.js';
import { readStatuspage } from './read-statuspage.js';
import { toDraft, type Draft, type RecordProblem } from './convert.js';
import { checkDraft, draftText } from './check-draft.js';
import { duplicateKey, existingRecords, mergeFields, readState, STATE_FILE, stateText, updatedText, type ImportState } from './existing.js';

export interface ImportOptions {
  kind: ImportKind;
  paths: string[];
  map?: string;
  dryRun?: boolean;
  into?: string;
  /** Working folder input paths and `--map` are relative to (default: the process's). */
  cwd?: string;
}

export interface ImportReport {
  records: number;
  files: number;
  created: string[];
  updated: string[];
  unchanged: number;
  /** Records not imported because of errors. */
  failed: number;
  conflicts: number;
  problems: Problem[];
  /** False for a dry run, and when the input or the map could not be read. */
  written: boolean;
}

const EXTENSIONS: Record<ImportKind, string[]> = { 'md-frontmatter': ['.md', '.markdown'], statuspage: ['.json'], csv: ['.csv'] };

/** Reads every input file: each record's facts, and every syntax problem (located). */
function readInputs(kind: ImportKind, paths: readonly string[], mapping: Mapping | undefined, cwd: string) {
  const inputs = inputFiles(paths, EXTENSIONS[kind], cwd);
  const facts: Facts[] = [];
  const problems: Problem[] = [];
  for (const input of inputs) {
    if (kind === 'statuspage') {
      const read = readStatuspage(input);
      facts.push(...read.facts);
      problems.push(...read.problems);
      continue;
    }
    const read = kind === 'csv' ? readCsvRecords(input) : readMarkdownRecord(input);
    problems.push(...read.problems);
    facts.push(...read.records.map((r) => factsFromMapping(r, mapping!)));
  }
  return { files: inputs.length, facts, problems };
}

/** The mapping `--map` names; md-frontmatter and csv need one. Problems in a map file are located in it. */
function mappingFor(options: ImportOptions, cwd: string): { mapping?: Mapping; problems: Problem[] } {
  if (options.map === undefined) {
    if (options.kind === 'statuspage') return { problems: [] };
    throw new UserError(
      `import ${options.kind} needs --map: a mapping file, or "icco" for the icco/postmortems layout`,
      'See docs/import.md for the mapping file.',
    );
  }
  const path = resolve(cwd, options.map);
  return loadMapping(options.map === 'icco' ? 'icco' : path, shownPath(path, cwd));
}

/** The folder imported files go to: `--into`, default `incidents/imported/<kind>`; inside `incidents/`. */
function targetFolder(root: string, options: ImportOptions, cwd: string): string {
  const folder = options.into === undefined ? join(root, INCIDENTS_DIR, 'imported', options.kind) : resolve(cwd, options.into);
  if (!isInside(folder, join(root, INCIDENTS_DIR))) {
    throw new UserError(
      `--into ${options.into} is not inside ${join(root, INCIDENTS_DIR)}`,
      'Imported records are incidents: write them into a folder under incidents/.',
    );
  }
  return folder;
}

/** A new file name: the start day (or "undated") and the title, unique among the knowledge base's ids. */
function newId(draft: Draft, taken: Set<string>): string {
  const title = typeof draft.data.title === 'string' ? slugify(draft.data.title).slice(0, 60).replace(/-+$/, '') : 'incident';
  const base = `${draft.day ?? 'undated'}-${title}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

const located = (facts: Facts, p: RecordProblem): Problem => ({
  file: facts.file,
  ...p.at,
  severity: p.severity,
  ruleId: p.ruleId,
  message: p.message,
});

/**
 * `postmortem import`: reads the inputs, turns each record into a draft, checks it as `check`
 * would, matches it with what is already imported (by source id), and writes the new and
 * changed records all at once — or, with `--dry-run` or any syntax error in the input, nothing.
 */
export function runImportPlan(ctx: CommandContext, options: ImportOptions): ImportReport {
  requireRoot(ctx.root);
  const cwd = options.cwd ?? process.cwd();
  const { config } = loadConfig(ctx.root);
  const folder = targetFolder(ctx.root, options, cwd);
  const map = mappingFor(options, cwd);
  if (!map.mapping && options.kind !== 'statuspage') return report(0, 0, map.problems, false);
  const read = readInputs(options.kind, options.paths, map.mapping, cwd);
  const today = resolveToday(config, ctx.now);
  let state: ImportState;
  try {
    state = readState(ctx.root);
  } catch (error) {
    throw new UserError(
      (error as Error).message,
      `Move ${STATE_FILE} away to start over: every field of a re-imported record then counts as edited by hand.`,
    );
  }
  const existing = existingRecords(ctx.root, config);
  const result = planRecords(read.facts, options.kind, map.mapping, config, today, { ...existing, state, folder, root: ctx.root });
  const problems = [...map.problems, ...read.problems, ...result.problems];
  // an input that cannot be read (bad JSON, CSV or YAML) or a bad map: nothing is written
  const syntax = [...map.problems, ...read.problems].some((p) => p.severity === 'error');
  const write = !options.dryRun && !syntax;
  if (write && result.writes.length) {
    for (const w of result.writes) mkdirSync(dirname(w.path), { recursive: true });
    mkdirSync(join(ctx.root, dirname(STATE_FILE)), { recursive: true });
    writeFilesAtomic([...result.writes, { path: join(ctx.root, STATE_FILE), content: stateText(result.state) }]);
  }
  return {
    records: read.facts.length,
    files: read.files,
    created: result.created,
    updated: result.updated,
    unchanged: result.unchanged,
    failed: result.failed,
    conflicts: result.conflicts,
    problems: sortProblems(problems),
    written: write,
  };
}

function report(records: number, files: number, problems: Problem[], written: boolean): ImportReport {
  return { records, files, created: [], updated: [], unchanged: 0, failed: 0, conflicts: 0, problems: sortProblems(problems), written };
}

interface PlanContext extends ReturnType<typeof existingRecords> {
  state: ImportState;
  folder: string;
  root: string;
}

/** Every record's problems and, for those without errors, what to write. */
function planRecords(
  all: readonly Facts[],
  kind: ImportKind,
  mapping: Mapping | undefined,
  config: Config,
  today: Temporal.PlainDate,
  ctx: PlanContext,
) {
  const problems: Problem[] = [];
  const writes: { path: string; content: string }[] = [];
  const created: string[] = [];
  const updated: string[] = [];
  let unchanged = 0;
  let failed = 0;
  let conflicts = 0;
  const state: ImportState = { version: 1, records: { ...ctx.state.records } };
  const seen = new Map<string, Facts>();
  const seenSource = new Map<string, Facts>();
  for (const facts of all) {
    const converted = toDraft(facts, kind, mapping, config);
    const own = converted.problems.map((p) => located(facts, p));
    const draft = converted.draft;
    if (draft) {
      const key = `${kind}:${draft.sourceId}`;
      const previous = ctx.bySource.get(key);
      const file = previous?.file ?? `${relative(ctx.root, ctx.folder).split('\\').join('/')}/${newId(draft, ctx.ids)}.md`;
      const id = file.slice(file.lastIndexOf('/') + 1, -3);
      own.push(...checkDraft(draft, id, file, config, today).map((p) => located(facts, p)));
      const twin = seenSource.get(draft.sourceId);
      if (twin)
        own.push(
          located(facts, {
            at: facts.at,
            severity: 'error',
            ruleId: 'import-duplicate',
            message: `source id ${JSON.stringify(draft.sourceId)} is also the record at ${twin.file}:${twin.at.line}; not imported twice`,
          }),
        );
      seenSource.set(draft.sourceId, facts);
      const dupKey = duplicateKey(draft.facts.company, draft.facts.title, draft.day);
      const same = seen.get(dupKey);
      const sameInKb = ctx.byDuplicate.get(dupKey);
      if (!twin && same)
        own.push(
          located(facts, {
            at: facts.at,
            severity: 'error',
            ruleId: 'import-duplicate',
            message: `same company, title and day as the record at ${same.file}:${same.at.line}; not imported (correct the source, or give one a different title)`,
          }),
        );
      else if (!twin && sameInKb && sameInKb.sourceKey !== key)
        own.push(
          located(facts, {
            at: facts.at,
            severity: 'error',
            ruleId: 'import-duplicate',
            message: `same company, title and day as ${sameInKb.file}, already in the knowledge base; not imported`,
          }),
        );
      if (!seen.has(dupKey)) seen.set(dupKey, facts);
      problems.push(...own);
      if (own.some((p) => p.severity === 'error')) {
        failed++;
        continue;
      }
      const fields = { ...draft.data, body: draft.body };
      if (!previous) {
        writes.push({ path: join(ctx.root, file), content: draftText(id, draft) });
        created.push(file);
      } else {
        const merge = mergeFields(previous, ctx.state.records[key], fields);
        problems.push(...merge.conflicts);
        conflicts += merge.conflicts.length;
        if (Object.keys(merge.updates).length === 0) unchanged++;
        else {
          const text = readFileSync(join(ctx.root, file), 'utf8');
          writes.push({ path: join(ctx.root, file), content: updatedText(text, merge.updates) });
          updated.push(file);
        }
      }
      state.records[key] = { file, fields };
    } else {
      problems.push(...own);
      failed++;
    }
  }
  return { problems, writes, created, updated, unchanged, failed, conflicts, state };
}

/** The closing lines of the report: how many records import cleanly, and what was (or would be) written. */
export function importSummary(r: ImportReport, dryRun: boolean): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const clean = r.records - r.failed;
  const { errors, warnings } = countBySeverity(r.problems);
  const lines = [
    `${n(r.records, 'record')} in ${n(r.files, 'file')}: ${clean} import${clean === 1 ? 's' : ''} cleanly (${r.created.length} new, ${r.updated.length} updated, ${r.unchanged} unchanged), ${r.failed} with errors not imported; ${n(r.conflicts, 'conflict')}; ${n(errors, 'error')}, ${n(warnings, 'warning')} in all.`,
  ];
  if (dryRun) lines.push('Dry run: nothing written.');
  else if (!r.written)
    lines.push('Nothing written: the input or the map has errors that stop it being read; correct them and import again.');
  return `${lines.join('\n')}\n`;
}
