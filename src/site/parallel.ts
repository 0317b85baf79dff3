import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openDatabase } from './rows.js';
import { markdownToHtml } from '../render/markdown.js';
import { readSearchDocuments, shardScriptFromDocuments } from './search.js';

/**
 * The two costly steps of a site build — Markdown to sanitised HTML (`markdownToHtml`)
 * and indexing search shards (MiniSearch) — run in worker threads when there is much to do
 * (a cold build), and in this thread otherwise. Same input, same output, either way.
 *
 * A shard task names its incidents and the database: the documents are read where the shard
 * is indexed.
 */
export type SiteTask =
  | { kind: 'markdown'; markdown: string }
  | { kind: 'shard'; db: string; ids: string[] };

export function runTask(task: SiteTask): string {
  return task.kind === 'markdown' ? markdownToHtml(task.markdown, 'internal') : shardScript(task.db, task.ids);
}

export function shardScript(dbPath: string, ids: readonly string[]): string {
  const db = openDatabase(dbPath);
  try {
    return shardScriptFromDocuments(readSearchDocuments(db, ids));
  } finally {
    db.close();
  }
}

export interface TaskPool {
  run(tasks: readonly SiteTask[]): Promise<string[]>;
  close(): Promise<void>;
}

/** Below this many tasks in a build, starting workers costs more than it saves. */
export const WORKER_THRESHOLD = 200;
const BATCH = 32;
const workerUrl = new URL('./worker.js', import.meta.url);
const shardWorkerUrl = new URL('./shard-worker.js', import.meta.url);
/** Workers need the compiled module (running from `dist/`, not from TypeScript sources under a test runner). */
const canUseWorkers = import.meta.url.endsWith('.js');

/** A pool for one build: in-thread for small builds, else one worker per core (at most 8), started once. */
export function createTaskPool(expectedTasks: number): TaskPool {
  const count = canUseWorkers && expectedTasks >= WORKER_THRESHOLD ? Math.min(availableParallelism(), 8) : 0;
  if (count === 0) {
    return { run: async (tasks) => tasks.map(runTask), close: async () => undefined };
  }
  const workers = Array.from({ length: count }, () => new Worker(fileURLToPath(workerUrl)));
  for (const w of workers) w.unref();
  return {
    run(tasks) {
      const results = new Array<string>(tasks.length);
      let next = 0;
      return Promise.all(workers.map((worker) => new Promise<void>((resolve, reject) => {
        const send = () => {
          if (next >= tasks.length) {
            worker.off('message', onMessage);
            worker.off('error', onError);
            resolve();
            return;
          }
          const start = next;
          next = Math.min(tasks.length, next + BATCH);
          worker.postMessage({ start, tasks: tasks.slice(start, next) });
        };
        const onMessage = (message: { start: number; results: string[] }) => {
          message.results.forEach((r, i) => { results[message.start + i] = r; });
          send();
        };
        const onError = (error: Error) => reject(error);
        worker.on('message', onMessage);
        worker.on('error', onError);
        send();
      }))).then(() => results);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * After an edit, one or two search shards are indexed again (about a tenth of a second each):
 * in a worker of their own, started as soon as the build knows which, so that the indexing
 * overlaps the rest of the build on another core. The worker loads only MiniSearch and the
 * database driver, not the Markdown pipeline. In this thread when workers cannot be used.
 */
export function shardsInBackground(dbPath: string, shards: readonly (readonly string[])[]): Promise<string[]> {
  if (!canUseWorkers || shards.length === 0) {
    return new Promise((resolve, reject) => {
      // later, so that the caller's other work goes first, as with a worker
      setImmediate(() => {
        try {
          resolve(shards.map((ids) => shardScript(dbPath, ids)));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
  }
  const worker = new Worker(fileURLToPath(shardWorkerUrl), { workerData: { db: dbPath, shards } });
  worker.unref();
  return new Promise<string[]>((resolve, reject) => {
    worker.once('message', (scripts: string[]) => resolve(scripts));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the search-index worker stopped (exit code ${code})`)));
  }).finally(() => void worker.terminate());
}
