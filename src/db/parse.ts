import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../schema/config.js';
import type { SourceFile } from '../source/read.js';
import { readSourceFile } from '../kb/load.js';

/** Below this many files, starting workers costs more than it saves. */
export const WORKER_THRESHOLD = 64;

export interface ParseJob {
  root: string;
  files: string[];
  config: Config;
}

export type ParseProgress = (done: number) => void;

const workerUrl = new URL('./parse-worker.js', import.meta.url);
/** Workers need the compiled worker module (running from `dist/`, not from TypeScript sources). */
const canUseWorkers = import.meta.url.endsWith('.js');

/**
 * Reads (parses) files: in worker threads across cores when there are many, else in this
 * thread. Results are in the order of `files` and identical either way (`readSourceFile`).
 */
export async function parseFiles(job: ParseJob, onProgress?: ParseProgress, workers?: number): Promise<SourceFile[]> {
  const count = workers ?? (canUseWorkers && job.files.length >= WORKER_THRESHOLD ? Math.min(availableParallelism(), 8) : 1);
  if (count <= 1) {
    const out: SourceFile[] = [];
    for (const file of job.files) {
      out.push(readSourceFile(job.root, file, job.config));
      if (out.length % 50 === 0) onProgress?.(out.length);
    }
    onProgress?.(out.length);
    return out;
  }
  const results: SourceFile[] = new Array(job.files.length);
  let next = 0;
  let done = 0;
  const batch = 16;
  const run = () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(fileURLToPath(workerUrl), { workerData: { root: job.root, config: job.config } });
    const send = () => {
      if (next >= job.files.length) {
        void worker.terminate().then(() => resolve());
        return;
      }
      const start = next;
      next = Math.min(job.files.length, next + batch);
      worker.postMessage({ start, files: job.files.slice(start, next) });
    };
    worker.on('message', (message: { start: number; sources: SourceFile[] }) => {
      message.sources.forEach((s, i) => { results[message.start + i] = s; });
      done += message.sources.length;
      onProgress?.(done);
      send();
    });
    worker.on('error', reject);
    send();
  });
  await Promise.all(Array.from({ length: count }, run));
  return results;
}
