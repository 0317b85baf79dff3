import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../schema/config.js';
import type { SourceFile } from '../source/read.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSourceFile } from '../kb/load.js';
import { readSourceFast } from './fast-read.js';

/** Below this many files, starting workers costs more than it saves. */
export const WORKER_THRESHOLD = 64;

export interface ParseJob {
  root: string;
  files: string[];
  config: Config;
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

/**
 * Reads (parses) files: in worker threads across cores when there are many, else in this
 * thread. Results are in the order of `files` and identical either way (`readOne`).
 */
export async function parseFiles(job: ParseJob, onProgress?: ParseProgress, workers?: number): Promise<SourceFile[]> {
  const count = workers ?? (canUseWorkers && job.files.length >= WORKER_THRESHOLD ? Math.min(availableParallelism(), 8) : 1);
  if (count <= 1) {
    const out: SourceFile[] = [];
    for (const file of job.files) {
      out.push(readOne(job.root, file, job.config));
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
    const worker = new Worker(fileURLToPath(workerUrl), {
      workerData: { root: job.root, config: job.config },
      execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type') && a !== '-e' && a !== '--eval'),
    });
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
