import type { CommandContext } from '../commands/context.js';
import type { Config } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import type { Temporal } from '../model/time.js';
import type { Problem } from '../problems.js';
import type { SourceFile } from '../source/read.js';
import { standInsOf } from '../kb/stand-ins.js';
import { validateAcross } from '../kb/validate.js';
import { freshCheck, type CheckEntry, type FileStamp, type FreshCheck, type KeptAcross, type ParseCache } from './cache.js';
import { digestOf } from '../source/read.js';
import { KeptProblems, type KeptChecks } from './kept-problems.js';
import { processFiles } from './parse.js';
import { processSource, type Processed } from './process.js';
import { createProgress } from './progress.js';
import type { IncidentRows } from './write.js';

export interface Validation {
  /** The per-file problems of the files asked for: those of the checks made now from memory, the kept ones read from the cache. */
  problemsOf(files: readonly string[]): Map<string, Problem[]>;
  /** The cross-file rules' problems. */
  across: Problem[];
  /** Valid incidents in file order. */
  valid: { file: string; id: string; digest: string }[];
  /** Valid drafts without a start time (kept out of the incidents table), by file. */
  undated: Set<string>;
}

/**
 * Validates every file, exactly as `check` does (`validateSource` per file, `validateAcross`
 * over all of them), reading and parsing only what the caches do not have: a file's per-file
 * result is kept by path, digest and context; its parse by digest. The cross-file rules see
 * unchanged files through lazy stand-ins that load the whole file only if a rule needs more.
 */
export async function validateAll(
  ctx: CommandContext,
  cache: ParseCache,
  /** The files, their stamps, and the kept checks (`ParseCache.stampsWithChecks`: taken over, made the checks of this build). */
  at: { files: readonly string[]; stamps: Map<string, FileStamp>; checks: Map<string, CheckEntry> },
  config: Config,
  today: Temporal.PlainDate,
  kept: KeptChecks,
  startedMs: number,
  onRows: (rows: IncidentRows) => void,
): Promise<Validation & { parsed: number }> {
  const { context } = kept;
  const { files, stamps, checks: known } = at;
  // the kept checks are the checks, but those of files to check again (made afresh)
  const checks: Map<string, CheckEntry> = known;
  const fresh = new Map<string, FreshCheck>();
  const sourceOf = (file: string): SourceFile => {
    const source = cache.get(stamps.get(file)!.digest, file);
    if (!source) throw new Error(`the parse cache lost ${file}; run the build again`);
    return source;
  };
  const accept = ({ file, digest, check, rows }: Processed) => {
    const entry = freshCheck(digest, check);
    checks.set(file, entry);
    fresh.set(file, entry);
    if (rows) onRows(rows);
  };

  const toCheck: string[] = [];
  for (const file of files) {
    const digest = stamps.get(file)!.digest;
    if (digest !== '' && known.get(file)?.digest === digest) continue;
    toCheck.push(file);
    checks.delete(file);
  }
  const toParse = toCheck.filter((f) => {
    const digest = stamps.get(f)!.digest;
    return digest === '' || !cache.has(digest);
  });
  const progress = createProgress(ctx.stderr, startedMs, 'reading incidents', toParse.length);
  let pending: [string, string][] = [];
  await processFiles(
    { root: ctx.root, files: toParse, config, today: today.toString(), cache: kept.cachePath },
    (processed) => {
      const { file, digest } = processed;
      const stamp = stamps.get(file)!;
      // A file not hashed before takes the digest of what was read (read after its stamp was
      // taken, as hashing it would have been); one that changed since it was hashed is hashed
      // again next time.
      if (stamp.digest === '') stamps.set(file, { ...stamp, digest });
      else if (stamp.digest !== digest) stamps.set(file, { ...stamp, mtimeMs: 0, digest });
      accept(processed);
      // read in this thread (few files): stored here; worker threads store their own
      if (processed.json !== undefined) pending.push([digest, processed.json]);
      // Stored in small transactions (a worker's batch), so the JSON strings die young on this
      // thread: held for 256 files they outlived minor collections and grew the old generation
      // (the cold build's peak memory by ~130 MB).
      if (pending.length >= 16) {
        cache.putAll(pending);
        pending = [];
      }
    },
    progress.update,
  );
  cache.putAll(pending);
  progress.done();
  // Parsed before but not checked in this context (new evaluation date, renamed file): check from the cache.
  for (const file of toCheck) if (!checks.has(file)) accept(processSource(sourceOf(file), config, today));

  const across = crossFile({ cache, files, checks, context, config, sourceOf });
  cache.saveChecks(context, fresh, files);
  const keptProblems = new KeptProblems(kept);
  const valid: Validation['valid'] = [];
  const undated = new Set<string>();
  // the columns of the kept checks: their stand-in fields are not parsed for this
  for (const file of files) {
    const entry = checks.get(file)!;
    if (entry.valid && !across.rejected.has(file)) valid.push({ file, id: entry.id!, digest: entry.digest });
    if (entry.undated) undated.add(file);
  }
  return {
    problemsOf(wanted) {
      const found = keptProblems.of(wanted.filter((f) => !fresh.has(f)).map((file) => ({ file, digest: checks.get(file)!.digest })));
      for (const file of wanted) if (fresh.has(file)) found.set(file, fresh.get(file)!.check.problems);
      return found;
    },
    across: across.problems,
    valid,
    undated,
    parsed: toParse.length,
  };
}

/**
 * The cross-file stage: the last build's result when every file's stand-in fields (with the
 * context: the key) and every file a rule read whole are as they were then; else the rules run
 * over lazy stand-ins, which load a whole file only if a rule needs more than its check kept.
 */
function crossFile(input: {
  cache: ParseCache;
  files: readonly string[];
  checks: ReadonlyMap<string, CheckEntry>;
  context: string;
  config: Config;
  sourceOf: (file: string) => SourceFile;
}): { problems: Problem[]; rejected: Set<string> } {
  const { cache, files, checks, config, sourceOf } = input;
  // each file's stand-in fields by their digest (`standin`): the same fields, the same key
  const key = digestOf(`${input.context}\n${files.map((file) => `${file}\u0000${checks.get(file)!.standin}`).join('\n')}`);
  const kept = keptAcrossOf(cache.keptAcross(key));
  if (kept?.key === key && kept.loaded.every(([file, digest]) => checks.get(file)?.digest === digest))
    return { problems: kept.problems, rejected: new Set(kept.rejected) };
  const loaded = new Map<string, string>();
  const incidents: Incident[] = [];
  const sources = new Map<string, SourceFile>();
  for (const file of files) {
    const { digest, check } = checks.get(file)!;
    const load = () => {
      loaded.set(file, digest);
      return sourceOf(file);
    };
    const standIn = standInsOf(file, digest, check, load, config);
    sources.set(file, standIn.source);
    if (standIn.incident) incidents.push(standIn.incident);
  }
  const across = validateAcross(incidents, sources, config);
  cache.saveAcross({ key, loaded: [...loaded], problems: across.problems, rejected: [...across.rejected] });
  return across;
}

/** A kept cross-file result of the right shape (one damaged by hand, or of another version, is not used). */
function keptAcrossOf(value: unknown): KeptAcross | undefined {
  const v = value as Partial<KeptAcross> | null | undefined;
  const strings = (list: unknown) => Array.isArray(list) && list.every((x) => typeof x === 'string');
  const isProblem = (p: Partial<Problem> | null) =>
    typeof p?.file === 'string' &&
    Number.isSafeInteger(p.line) &&
    Number.isSafeInteger(p.column) &&
    (p.severity === 'error' || p.severity === 'warning') &&
    typeof p.ruleId === 'string' &&
    typeof p.message === 'string';
  const ok =
    typeof v?.key === 'string' &&
    Array.isArray(v.loaded) &&
    v.loaded.every((pair) => strings(pair) && pair.length === 2) &&
    Array.isArray(v.problems) &&
    v.problems.every(isProblem) &&
    strings(v.rejected);
  return ok ? (v as KeptAcross) : undefined;
}
