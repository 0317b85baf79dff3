import { configText, type Config } from '../schema/config.js';
import type { SourceFile } from '../source/read.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSourceFile } from '../kb/load.js';
import { readSourceFast } from './fast-read.js';
import { processSource, type Processed } from './process.js';
import { Temporal } from '../model/time.js';
import { threadCount, workerThreads, type Thread } from '../threads/pool.js';
import { ParseCache } from './cache.js';
import { keepIncident, newParseJob, noteKept } from './kept-incidents.js';
import type { Incident } from '../model/incident.js';

/** Below this many files, starting workers costs more than it saves. */
export const WORKER_THRESHOLD = 64;

export interface ParseJob {
  root: string;
  files: string[];
  config: Config;
  /** The evaluation date, YYYY-MM-DD. */
  today: string;
  /**
   * The parse cache's file, when worker threads are to store the parses they make there (each
   * its own connection) instead of sending them back as JSON: see `storeParses`.
   */
  cache?: string;
}

export type ParseProgress = (done: number) => void;

/** Reads one file as `readSourceFile` does, through the fast reader when the file allows it. */
export function readOne(root: string, file: string, config: Config): SourceFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(root, file));
  } catch {
    return readSourceFile(root, file, config); // reports why it cannot be read
  }
  return readSourceFast(file, bytes, { maxBytes: config.validation.max_file_kb * 1024 });
}

/** Reads one file and runs the per-file stage on it (what each worker does); `keep`: see `processSource`. */
export function processOne(job: Omit<ParseJob, 'files'>, file: string, keep?: (incident: Incident) => boolean): Processed {
  const source = readOne(job.root, file, job.config);
  return { ...processSource(source, job.config, Temporal.PlainDate.from(job.today), keep), json: JSON.stringify(source) };
}

/** A batch of files for a thread of the pool to read and check. */
export interface ParseRequest extends Omit<ParseJob, 'files'> {
  files: string[];
  /** The parse job the thread keeps its typed incidents for (see `kept-incidents.ts`): with worker threads that store their parses. */
  keep?: number;
}

/**
 * The config of the batches before, when this one's is the same (by its text): every batch brings
 * its own copy, and the incident schema (with its compiled checks) is kept per config object. The
 * thread's page phase types what it reads back with it too (`IncidentReader`: ~30 ms to compile
 * the schema again for the site's copy).
 */
let lastConfig: { json: string; config: Config } | undefined;
export function sameConfig(config: Config): { json: string; config: Config } {
  const json = configText(config);
  if (lastConfig?.json !== json) lastConfig = { json, config };
  return lastConfig;
}

/** What keeps the incidents of parse job `job` typed with `config` (the config's text). */
const keeperOf = (job: number, config: string) => (incident: Incident) => keepIncident(job, config, incident);

/** This thread's connection to the parse cache it stores parses in (`storeParses`). */
let storing: { path: string; cache: ParseCache } | undefined;

/**
 * Stores the parses of a batch in the cache at `path` (one transaction) and takes their JSON out
 * of the results. Storing them was ~a fifth of the main thread's work in the database phase of a
 * cold build (and the JSON, ~2× the files' size, crossed threads to get there), while the worker
 * threads waited for it; SQLite lets one connection write at a time, so a thread that finds the
 * cache being written waits its turn (`ParseCache.storing`).
 */
function storeParses(path: string, results: Processed[]): void {
  if (storing?.path !== path) {
    storing?.cache.close();
    storing = { path, cache: ParseCache.storing(path) };
  }
  storing.cache.putAll(results.map((p) => [p.digest, p.json!]));
  for (const p of results) delete p.json;
}

/**
 * The thread side (see `threads/worker.ts`): each file read and checked, plain data back. A
 * request with no files closes the thread's connection to the cache (the end of a build's reading:
 * the build's own connection, closed last, then finds no other and copies the log back).
 */
export const parseHandler = {
  handle(r: ParseRequest) {
    if (r.files.length === 0) {
      storing?.cache.close();
      storing = undefined;
      return { result: [] };
    }
    const config = sameConfig(r.config);
    const job = { ...r, config: config.config };
    const keep = r.keep === undefined ? undefined : keeperOf(r.keep, config.json);
    const result = r.files.map((file) => processOne(job, file, keep));
    if (r.cache) storeParses(r.cache, result);
    return { result };
  },
};

/**
 * Reads (parses) and checks files, handing each result to `onSource` in the order of `files`
 * (with its index): in worker threads across cores when there are many, else in this thread.
 * Results are identical either way (`processOne`), and so is their order, which makes what the
 * build writes from them the same bytes every time; but with `job.cache`, worker threads store
 * the parses there themselves and send no JSON (`storeParses`). Nothing is kept here beyond a few
 * batches that come back ahead of an earlier one.
 */
export async function processFiles(
  job: ParseJob,
  onSource: (processed: Processed, index: number) => void,
  onProgress?: ParseProgress,
  workers?: number,
): Promise<void> {
  const count = workers ?? Math.max(1, threadCount(job.files.length, WORKER_THRESHOLD));
  if (count <= 1) {
    job.files.forEach((file, i) => {
      onSource(processOne(job, file), i);
      if ((i + 1) % 50 === 0) onProgress?.(i + 1);
    });
    onProgress?.(job.files.length);
    return;
  }
  let next = 0;
  let done = 0;
  const batch = 16;
  let failed = false;
  /** Batches that came back before an earlier one, by their first index. */
  const early = new Map<number, Processed[]>();
  const deliver = (start: number, results: Processed[]) => {
    early.set(start, results);
    for (let ready = early.get(done); ready; ready = early.get(done)) {
      early.delete(done);
      const first = done;
      ready.forEach((p, i) => onSource(p, first + i));
      done += ready.length;
    }
    onProgress?.(done);
  };
  const { root, config, today, cache } = job;
  // threads that store their parses keep their typed incidents for the build's pages
  const keep = cache ? newParseJob() : undefined;
  /**
   * A thread's share: two lanes, each asking for the next batch as its last one is written, so
   * the thread always has one batch queued and never waits while this thread writes. A loop,
   * not a chain of calls awaiting the next one: a chain kept every batch's results reachable
   * until the last batch (all the parses' JSON: ~70 MB at 1,000 incidents).
   */
  const run = async (thread: Thread) => {
    const lane = async (): Promise<void> => {
      while (next < job.files.length && !failed) {
        const start = next;
        next = Math.min(job.files.length, next + batch);
        const results = await thread.call<Processed[]>({
          kind: 'parse',
          body: { root, config, today, cache, ...(keep ? { keep } : {}), files: job.files.slice(start, next) },
        });
        if (failed) return;
        // noted here and taken out: what is delivered is what this thread would have made (its last field: the object stays fast)
        for (const p of results) {
          if (!p.kept) continue;
          noteKept(thread, p.file, p.digest);
          delete p.kept;
        }
        try {
          deliver(start, results);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    try {
      await Promise.all([lane(), lane()]);
    } finally {
      // closed also after a failure: a `serve` rebuild must not write through a connection kept from before
      if (cache) await thread.call({ kind: 'parse', body: { root, config, today, files: [] } }).catch(() => undefined);
    }
  };
  await Promise.all(workerThreads(count).map(run));
}
