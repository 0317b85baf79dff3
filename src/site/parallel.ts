import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { markdownToHtml } from '../render/markdown.js';
import { shardScriptFromDocuments, type SearchDocument } from './search.js';

/**
 * The two costly steps of a site build — Markdown to sanitised HTML (remark → rehype-sanitize)
 * and indexing search shards (MiniSearch) — run in worker threads when there is much to do
 * (a cold build), and in this thread otherwise. Same input, same output, either way.
 */
export type SiteTask =
  | { kind: 'markdown'; markdown: string }
  | { kind: 'shard'; documents: SearchDocument[] };

export function runTask(task: SiteTask): string {
  return task.kind === 'markdown' ? markdownToHtml(task.markdown, 'internal') : shardScriptFromDocuments(task.documents);
}

export interface TaskPool {
  run(tasks: readonly SiteTask[]): Promise<string[]>;
  close(): Promise<void>;
}

/** Below this many tasks in a build, starting workers costs more than it saves. */
export const WORKER_THRESHOLD = 200;
const BATCH = 32;
const workerUrl = new URL('./worker.js', import.meta.url);
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
