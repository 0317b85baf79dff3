import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../schema/config.js';
import type { SourceFile } from '../source/read.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSourceFile } from '../kb/load.js';
import { readSourceFast } from './fast-read.js';
import { processSource, type Processed } from './process.js';
import { Temporal } from '../model/time.js';

/** Below this many files, starting workers costs more than it saves. */
export const WORKER_THRESHOLD = 64;

export interface ParseJob {
  root: string;
  files: string[];
  config: Config;
  /** The evaluation date, YYYY-MM-DD. */
  today: string;
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

const workerUrl = new URL('./parse-worker.js', import.meta.url);
/** Workers need the compiled worker module (running from `dist/`, not from TypeScript sources). */
const canUseWorkers = import.meta.url.endsWith('.js');

/** Reads one file and runs the per-file stage on it (what each worker does). */
export function processOne(job: Omit<ParseJob, 'files'>, file: string): Processed {
  const source = readOne(job.root, file, job.config);
  return { ...processSource(source, job.config, Temporal.PlainDate.from(job.today)), json: JSON.stringify(source) };
}

/**
 * Reads (parses) and checks files, handing each result to `onSource` in the order of `files`
 * (with its index): in worker threads across cores when there are many, else in this thread.
 * Results are identical either way (`processOne`), and so is their order, which makes what the
 * build writes from them the same bytes every time; nothing is kept here beyond a few batches
 * that come back ahead of an earlier one.
 */
export async function processFiles(
  job: ParseJob, onSource: (processed: Processed, index: number) => void, onProgress?: ParseProgress, workers?: number,
): Promise<void> {
  const count = workers ?? (canUseWorkers && job.files.length >= WORKER_THRESHOLD ? Math.min(availableParallelism(), 8) : 1);
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
    if (failed) return;
    early.set(start, results);
    for (let ready = early.get(done); ready; ready = early.get(done)) {
      early.delete(done);
      const first = done;
      ready.forEach((p, i) => onSource(p, first + i));
      done += ready.length;
    }
    onProgress?.(done);
  };
  const run = () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(fileURLToPath(workerUrl), {
      workerData: { root: job.root, config: job.config, today: job.today },
      // A large young generation: a file's parse tree is garbage once its results are made, so
      // fewer minor collections find (and copy, then promote) live trees. With 8 MB a worker
      // spent ~19% of its time collecting garbage, with 64 MB ~6%, for ~45 MB more peak memory
      // in all (128 MB collects no less and adds ~130 MB).
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
      execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type') && a !== '-e' && a !== '--eval'),
    });
    let inFlight = 0;
    const send = () => {
      if (next >= job.files.length || failed) {
        if (inFlight === 0) void worker.terminate().then(() => resolve());
        return;
      }
      const start = next;
      next = Math.min(job.files.length, next + batch);
      inFlight++;
      worker.postMessage({ start, files: job.files.slice(start, next) });
    };
    worker.on('message', (message: { start: number; results: Processed[] }) => {
      inFlight--;
      // The next batch goes out first, so the worker never waits while this thread writes.
      send();
      try {
        deliver(message.start, message.results);
      } catch (error) {
        failed = true;
        void worker.terminate();
        reject(error);
      }
    });
    worker.on('error', (error) => {
      failed = true;
      reject(error);
    });
    // Two batches in flight: one being read, one queued.
    send();
    send();
  });
  await Promise.all(Array.from({ length: count }, run));
}
