import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { markdownToHtml } from '../render/markdown.js';
import { shardScriptFromDocuments, type SearchDocument } from './search.js';

/**
 * The two costly steps of a site build — Markdown to sanitised HTML (remark → rehype-sanitize)
 * and indexing search shards (MiniSearch) — run across worker threads when there is much to do
 * (a cold build), and in this thread otherwise. Same input, same output, either way.
 */
export type SiteTask =
  | { kind: 'markdown'; markdown: string }
  | { kind: 'shard'; documents: SearchDocument[] };

export function runTask(task: SiteTask): string {
  return task.kind === 'markdown' ? markdownToHtml(task.markdown, 'internal') : shardScriptFromDocuments(task.documents);
}

/** Below this many tasks, starting workers costs more than it saves. */
const WORKER_THRESHOLD = 200;
const BATCH = 64;
const workerUrl = new URL('./worker.js', import.meta.url);
/** Workers need the compiled module (running from `dist/`, not from TypeScript sources under a test runner). */
const canUseWorkers = import.meta.url.endsWith('.js');

export async function runTasks(tasks: readonly SiteTask[]): Promise<string[]> {
  const count = canUseWorkers && tasks.length >= WORKER_THRESHOLD ? Math.min(availableParallelism(), 8) : 1;
  if (count <= 1) return tasks.map(runTask);
  const results: string[] = new Array<string>(tasks.length);
  let next = 0;
  const run = () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(fileURLToPath(workerUrl));
    const send = () => {
      if (next >= tasks.length) {
        void worker.terminate().then(() => resolve(), reject);
        return;
      }
      const start = next;
      next = Math.min(tasks.length, next + BATCH);
      worker.postMessage({ start, tasks: tasks.slice(start, next) });
    };
    worker.on('message', (message: { start: number; results: string[] }) => {
      message.results.forEach((r, i) => { results[message.start + i] = r; });
      send();
    });
    worker.on('error', (error) => {
      void worker.terminate();
      reject(error);
    });
    send();
  });
  await Promise.all(Array.from({ length: count }, run));
  return results;
}
