import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../commands/context.js';
import type { IncidentSource } from '../db/incident-source.js';
import type { Config } from '../schema/config.js';
import { openDatabase } from './rows.js';
import { markdownToHtml } from '../render/markdown.js';
import { readSearchDocuments, shardScriptFromDocuments } from './search.js';
import type { FactColumns } from './facts.js';
import type { IncidentPageJob } from './incident-page.js';
import type { RemotePage } from './page.js';
import type { IncidentLinks } from './similar.js';

/**
 * The costly work of a site build runs in worker threads when there is much to do (a cold
 * build, a change of templates), and in this thread otherwise. Same input, same output,
 * either way. The work comes as tasks:
 *
 * - `markdown`: Markdown to sanitised HTML (`markdownToHtml`);
 * - `shard`: a search shard indexed (MiniSearch); the shard names its incidents and the
 *   database, and the documents are read where it is indexed;
 * - `page`: an incident page rendered whole (see `incident-page.ts`), with its incident
 *   loaded from the parse cache in the worker; the page's bytes come back to be written. Only with worker threads: the pool
 *   then knows the site (`SiteWorkerData`).
 */
export type MarkdownTask = { kind: 'markdown'; markdown: string };
export type ShardTask = { kind: 'shard'; db: string; ids: string[] };
export type PageTask = { kind: 'page'; job: IncidentPageJob; linksOf: IncidentLinks };
export type SiteTask = MarkdownTask | ShardTask | PageTask;

/** What a worker thread needs to render incident pages: plain data. */
export interface SiteWorkerData {
  root: string;
  siteDir: string;
  config: Config;
  /** The evaluation date, YYYY-MM-DD. */
  today: string;
  facts: FactColumns;
  serviceNames: readonly string[];
  source: IncidentSource;
}

export function runTask(task: MarkdownTask | ShardTask): string {
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
  /** How many worker threads run the tasks (0: this thread runs them, and takes no `page` tasks). */
  readonly threads: number;
  run(tasks: readonly (MarkdownTask | ShardTask)[]): Promise<string[]>;
  /** Tells the worker threads about the site, before any `page` task. */
  site(data: SiteWorkerData): void;
  /** An incident page rendered by a worker thread (and written by this one). */
  page(task: PageTask): Promise<RemotePage>;
  close(): Promise<void>;
}

/** Below this many tasks in a build, starting workers costs more than it saves. */
export const WORKER_THRESHOLD = 200;
/** About how much work a worker is sent at once (a page counts 4, a shard a whole batch). */
const BATCH_WEIGHT = 32;
const WEIGHT = { markdown: 1, page: 4, shard: BATCH_WEIGHT } as const;
/** Batches sent to a worker before it answers: it never waits for this thread between two. */
const IN_FLIGHT = 2;
const workerUrl = new URL('./worker.js', import.meta.url);
const shardWorkerUrl = new URL('./shard-worker.js', import.meta.url);
/** Workers need the compiled module (running from `dist/`, not from TypeScript sources under a test runner). */
const canUseWorkers = import.meta.url.endsWith('.js');

interface Queued {
  task: SiteTask;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * A pool for one build: in-thread for small builds, else one worker per core (at most 8),
 * started once. Tasks wait in one queue, in the order given, and each worker takes the next
 * batch as it finishes one.
 */
export function createTaskPool(expectedTasks: number): TaskPool {
  const count = canUseWorkers && expectedTasks >= WORKER_THRESHOLD ? Math.min(availableParallelism(), 8) : 0;
  if (count === 0) {
    return {
      threads: 0,
      run: async (tasks) => tasks.map(runTask),
      site: () => undefined,
      page: () => Promise.reject(new Error('incident pages are given to worker threads only')),
      close: async () => undefined,
    };
  }
  const queue: Queued[] = [];
  let head = 0;
  let failed: Error | undefined;
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(fileURLToPath(workerUrl));
    const w = { worker, batches: [] as Queued[][] };
    worker.on('message', (message: { results?: unknown[]; error?: string; user?: boolean; hint?: string }) => {
      if (failed) return;
      const batch = w.batches.shift()!;
      if (message.error !== undefined) {
        fail(message.user ? new UserError(message.error, message.hint) : new Error(message.error));
        return;
      }
      batch.forEach((q, n) => q.resolve(message.results![n]));
      pump(w);
    });
    worker.on('error', (error) => fail(error));
    worker.on('exit', (code) => fail(new Error(`a site worker thread stopped (exit code ${code})`)));
    return w;
  });
  const pump = (w: (typeof workers)[number]) => {
    while (!failed && w.batches.length < IN_FLIGHT && head < queue.length) {
      const batch: Queued[] = [];
      let weight = 0;
      while (head < queue.length && (batch.length === 0 || weight + WEIGHT[queue[head]!.task.kind] <= BATCH_WEIGHT)) {
        weight += WEIGHT[queue[head]!.task.kind];
        batch.push(queue[head++]!);
      }
      w.batches.push(batch);
      w.worker.postMessage(batch.map((q) => q.task));
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    }
  };
  const fail = (error: Error) => {
    if (failed) return;
    failed = error;
    for (const w of workers) for (const batch of w.batches.splice(0)) for (const q of batch) q.reject(error);
    for (const q of queue.splice(head)) q.reject(error);
  };
  const submit = <T>(task: SiteTask) => new Promise<T>((resolve, reject) => {
    if (failed) {
      reject(failed);
      return;
    }
    queue.push({ task, resolve: resolve as (r: unknown) => void, reject });
    for (const w of workers) pump(w);
  });
  return {
    threads: count,
    run: (tasks) => Promise.all(tasks.map((t) => submit<string>(t))),
    // (a worker reads its messages in order: the site comes before any page task sent after it)
    site: (data) => {
      for (const w of workers) w.worker.postMessage({ site: data });
    },
    page: (task) => submit<RemotePage>(task),
    async close() {
      failed ??= new Error('the site build finished');
      for (const w of workers) w.worker.removeAllListeners('exit');
      await Promise.all(workers.map((w) => w.worker.terminate()));
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
