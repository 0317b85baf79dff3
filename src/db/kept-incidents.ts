import type { Incident } from '../model/incident.js';
import type { Thread } from '../threads/pool.js';

/**
 * Typed incidents a worker thread made while it parsed a cold build's files (phase 1), kept in
 * that thread for the incident pages it renders later in the same build (phase 2), which
 * otherwise read each incident back from the parse cache and type it again (`IncidentReader`):
 * ~0.45 s of each thread's ~4.1 s at 1,000 incidents (the cache's `get` and `JSON.parse` of
 * ~19 KB, then `toIncident` with zod). The incident kept is the one the parse made of the file
 * (`validateSource`), which is the reload's: the cache holds that parse as JSON, and typing its
 * round trip gives the same incident (every field, key order, instants: checked over the
 * generated, example and fixture incidents, docs/performance.md, "cold14work"). Kept only with
 * the config it was typed with, by file and content digest, and taken once (a page per incident).
 *
 * A kept incident weighs ~30 KB of heap (1,000 generated incidents typed and held: 31 MB), so a
 * thread keeps at most `MAX_KEPT`: about all of its share at 1,000 incidents, a tenth at 10,000,
 * where the rest is read back as before. The cold build's peak memory at 10,000 (dc591a0: 353 MB)
 * was 353 MB keeping 512 per thread, and 451 MB keeping 2,048 (over the 400 MB limit): what the
 * threads hold from the parse to the pages adds to the heap the pages then grow.
 *
 * Which thread keeps which incident is known to the build's thread (`keptIn`), which sends each
 * kept incident's page to that thread (`site/parallel.ts`); a page sent elsewhere is reloaded.
 * What no page took (a command that builds only the database, an incident the cross-file rules
 * rejected) stays until the thread's next parse job or the process's end: ≤ 512 incidents a thread.
 */
export const MAX_KEPT = 512;

/** Thread side: the incidents kept, by `keyOf`, for one parse job and the config it typed them with. */
const kept = new Map<string, Incident>();
let keptFor: { job: number; config: string } | undefined;

const keyOf = (file: string, digest: string) => `${digest}\u0000${file}`;

/** Keeps `incident` (typed with `config`, the config's text) for the page phase of parse job `job`, when there is room: whether it did. */
export function keepIncident(job: number, config: string, incident: Incident): boolean {
  if (keptFor?.job !== job || keptFor.config !== config) {
    kept.clear(); // an earlier build's, or another config's
    keptFor = { job, config };
  }
  if (kept.size >= MAX_KEPT) return false;
  kept.set(keyOf(incident.file, incident.digest), incident);
  return true;
}

/** The incident kept for this file and digest, typed with `config` (the config's text, asked only when some are kept), given once. */
export function takeIncident(config: () => string, file: string, digest: string): Incident | undefined {
  if (kept.size === 0 || keptFor?.config !== config()) return undefined;
  const key = keyOf(file, digest);
  const incident = kept.get(key);
  if (incident) kept.delete(key);
  return incident;
}

/** The build's thread: which thread of the pool keeps each incident of the last parse job. */
const keptBy = new Map<string, Thread>();
let jobs = 0;

/** A new parse job, its number (what its threads keep is then theirs only: `keepIncident`). */
export function newParseJob(): number {
  keptBy.clear();
  return ++jobs;
}

/** Notes that `thread` keeps the incident of `file` at `digest`. */
export function noteKept(thread: Thread, file: string, digest: string): void {
  keptBy.set(keyOf(file, digest), thread);
}

/** The thread that keeps the incident of `file` at `digest`, if any. */
export function keptIn(file: string, digest: string): Thread | undefined {
  return keptBy.get(keyOf(file, digest));
}
