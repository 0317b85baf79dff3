import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheVersionOf, checkContextOf, configDigestOf } from '../db/cache-key.js';
import { ParseCache, type FileStamp, type StandInCheck } from '../db/cache.js';
import type { Incident } from '../model/incident.js';
import { sortProblems, type Problem } from '../problems.js';
import { digestOf, type SourceFile } from '../source/read.js';
import { loadConfig } from './config.js';
import { knownIdsOf, scanIncidentFiles } from './files.js';
import { readSourceFile, type LoadOptions } from './load.js';
import { standInsOf } from './stand-ins.js';
import { requireRoot } from './targets.js';
import { resolveToday, validateAcross, validateSource } from './validate.js';

/**
 * `check` of some files (the editor's and the pre-commit hook's case), answered with the
 * build's caches: the files named are read and validated; every other file, which the
 * cross-file rules still need, is taken from the per-file result the last build kept for its
 * content (`FileCheck`, by path, digest and context), so it is hashed — or not even that when
 * its size and time are those the build saw — but not parsed or validated. A file the cache
 * does not hold in this context is read and validated as `loadKnowledgeBase` would. The
 * problems are the same as `loadKnowledgeBase`'s for the same paths (test/check-files.test.ts).
 */
export interface CheckedFiles {
  /** Problems of the config, and of the files named, sorted. */
  problems: Problem[];
  /** Valid incidents in the whole knowledge base. */
  incidents: number;
  /** The files named. */
  checked: string[];
  /** The files read and validated (the others came from the cache). */
  read: string[];
}

/** Undefined when there is no cache of this tool version and config at `cachePath` (then `loadKnowledgeBase` answers). */
export function checkFiles(options: LoadOptions & { paths: readonly string[] }, cachePath: string): CheckedFiles | undefined {
  const { root } = options;
  requireRoot(root);
  const scanned = scanIncidentFiles(root);
  const loaded = loadConfig(root, knownIdsOf(scanned.files));
  const config = loaded.config;
  const cacheVersion = cacheVersionOf(config);
  const cache = ParseCache.readOnly(cachePath, cacheVersion);
  if (!cache) return undefined;
  try {
    const today = resolveToday(config, options.now);
    const known = cache.standInChecks(checkContextOf(cacheVersion, configDigestOf(loaded.text, config), today));
    const stamps = cache.stamps();
    const named = scanIncidentFiles(root, options.paths, options.cwd);
    const selected = new Set(named.files);
    const problems: Problem[] = [];
    const incidents: Incident[] = [];
    const sources = new Map<string, SourceFile>();
    const read: string[] = [];
    for (const file of [...new Set([...scanned.files, ...named.files])].sort()) {
      const kept = selected.has(file) ? undefined : keptCheck(root, file, stamps.get(file), known.get(file));
      if (kept) {
        const standIn = standInsOf(
          file,
          kept.digest,
          kept.check,
          () => cache.get(kept.digest, file) ?? readSourceFile(root, file, config),
          config,
        );
        sources.set(file, standIn.source);
        if (standIn.incident) incidents.push(standIn.incident);
        continue;
      }
      read.push(file);
      const source = readSourceFile(root, file, config);
      const result = validateSource(source, config, today);
      if (selected.has(file)) problems.push(...result.problems);
      sources.set(file, source);
      if (result.incident) incidents.push(result.incident);
    }
    const across = validateAcross(incidents, sources, config);
    problems.push(...across.problems.filter((p) => selected.has(p.file)));
    return {
      problems: sortProblems([...loaded.problems, ...named.problems, ...problems]),
      incidents: incidents.filter((i) => !across.rejected.has(i.file)).length,
      checked: named.files,
      read,
    };
  } finally {
    cache.close();
  }
}

/** The kept per-file result for the file's current content, if the cache has one. */
function keptCheck(root: string, file: string, stamp: FileStamp | undefined, known: { digest: string; check: StandInCheck } | undefined) {
  if (!known) return undefined;
  let digest: string;
  try {
    const st = statSync(join(root, file));
    // the same size and time as the build saw (a time of 0: changed while it ran, hash it)
    digest =
      stamp && stamp.mtimeMs !== 0 && stamp.size === st.size && stamp.mtimeMs === st.mtimeMs && stamp.digest
        ? stamp.digest
        : digestOf(readFileSync(join(root, file)));
  } catch {
    return undefined;
  }
  return digest === known.digest ? known : undefined;
}
