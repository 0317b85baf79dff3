import type { IncidentSource } from '../db/incident-source.js';
import type { Config } from '../schema/config.js';
import type Database from 'better-sqlite3';
import { shardsFromFile, shardsFromKept, type KeptSite, type ShardMembers } from './search-terms.js';
import type { FactColumns } from './facts.js';
import type { IncidentPageJob } from './incident-page.js';
import { release, writeLock, type WriteLock, type WrittenPage } from './page.js';
import type { IncidentLinks } from './similar.js';
import { canUseWorkers, threadCount, workerThreads, type Thread } from '../threads/pool.js';
import { loadMarkdownKit, markdownKit } from './render-kit.js';
import { keptIn } from '../db/kept-incidents.js';

/**
 * The costly work of a site build runs in the tool's worker threads (`threads/pool.ts`) when there is much to do (a cold
 * build, a change of templates), and in this thread otherwise. Same input, same output,
 * either way. The work comes as tasks:
 *
 * - `markdown`: Markdown to sanitised HTML (`markdownToHtml`);
 * - `shard`: a search shard indexed (MiniSearch); the shard names its incidents and the
 *   database, and the documents are read where it is indexed (its analyses kept in the site
 *   folder for the next edit, see `search-terms.ts`);
 * - `page`: an incident page rendered whole (see `incident-page.ts`), with its incident
 *   loaded from the parse cache in the worker, and written there (one thread at a time: see
 *   `writePage`); what this thread records of it comes back. Only with worker threads: the pool
 *   then knows the site (`SiteWorkerData`).
 */
export type MarkdownTask = { kind: 'markdown'; markdown: string };
export type ShardTask = { kind: 'shard'; db: string; site: KeptSite } & ShardMembers;
export type PageTask = { kind: 'page'; job: IncidentPageJob; linksOf: IncidentLinks };
export type SiteTask = MarkdownTask | ShardTask | PageTask;
/** What a worker thread is sent at once. */
export interface TaskBatch {
  tasks: SiteTask[];
}

/** What a worker thread needs to render and write incident pages: plain data, and the lock of the threads that write pages. */
export interface SiteWorkerData extends SiteInfo {
  lock: WriteLock;
}

/** The site a build renders (`TaskPool.site`). */
export interface SiteInfo {
  root: string;
  siteDir: string;
  config: Config;
  /** The evaluation date, YYYY-MM-DD. */
  today: string;
  facts: FactColumns;
  serviceNames: readonly string[];
  source: IncidentSource;
  /** Folders of the incident pages that this build made: no page in them to compare with (see `freshFolders`). */
  fresh: readonly string[];
}

export function runTask(task: MarkdownTask | ShardTask): string {
  return task.kind === 'markdown'
    ? markdownKit().markdownToHtml(task.markdown, 'internal')
    : shardsFromFile(task.db, task.site, [task])[0]!;
}

export interface TaskPool {
  /** How many worker threads run the tasks (0: this thread runs them, and takes no `page` tasks). */
  readonly threads: number;
  run(tasks: readonly (MarkdownTask | ShardTask)[]): Promise<string[]>;
  /**
   * Search shards handed to the threads at once, shared out evenly, ahead of any task queued
   * after them (see `spreadTasks`); one promise per shard, of its script's UTF-8 bytes. Behind
   * them, each thread loads the site's rendering code (an empty batch of tasks): a build from
   * scratch works out its pages for longer than the threads index the shards, and the threads
   * would otherwise load it when the first pages come.
   */
  spread(tasks: readonly ShardTask[]): Promise<Uint8Array>[];
  /** Tells the worker threads about the site, before any `page` task. */
  site(data: SiteInfo): void;
  /** An incident page rendered and written by a worker thread. */
  page(task: PageTask): Promise<WrittenPage>;
  close(): Promise<void>;
}

/**
 * Below this many tasks in a build, starting workers costs more than it saves: 64 incident pages
 * (weight 8 each), the size from which the database's parse starts the threads too
 * (`db/parse.ts`), so a small knowledge base starts none. At the example's 38 incidents, two threads
 * (each loading the parse and rendering code) cost ~1 s of CPU more than the pages they rendered
 * and ~90 MB more memory, and made the build slower (docs/performance.md, seventh round: start8).
 */
export const WORKER_THRESHOLD = 512;
/** About how much work a worker is sent at once (a page counts 4, a shard a whole batch). */
const BATCH_WEIGHT = 32;
const WEIGHT = { markdown: 1, page: 4, shard: BATCH_WEIGHT } as const;
/**
 * Batches sent to a worker before it answers: it never waits for this thread between two, nor
 * while this thread renders one of its own pages — a list of every incident, or the public export
 * with its customer letters, which at 1,000 incidents holds this thread ~0.6 s without turning its
 * event loop. With 4 (32 incident pages, ~0.2 s of a worker's work) each worker sat idle ~0.3 s of
 * the export's time in a cold build's profile (docs/performance.md, eleventh round: cold13load);
 * 16 is 128 pages, what `REMOTE_WINDOW` lets out at once for two threads. A waiting task is small
 * (its job and links: ~4 KB).
 */
const IN_FLIGHT = 16;
export interface Queued {
  task: SiteTask;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** Tasks waiting, in the order given (`head`: the first not taken; those taken are cleared at once, see `takeBatch`). */
export interface Lane {
  items: (Queued | undefined)[];
  head: number;
}
const lane = (): Lane => ({ items: [], head: 0 });

interface Worker {
  thread: Thread;
  inFlight: number;
  /** The incident pages whose incidents this thread kept when it parsed them (`db/kept-incidents.ts`). */
  own: Lane;
}

/** The next batch from these lanes, in turn: up to `BATCH_WEIGHT`, and at least one task if any waits. */
export function takeBatch(lanes: readonly Lane[]): Queued[] {
  const batch: Queued[] = [];
  let weight = 0;
  for (const l of lanes) {
    while (l.head < l.items.length && (batch.length === 0 || weight + WEIGHT[l.items[l.head]!.task.kind] <= BATCH_WEIGHT)) {
      weight += WEIGHT[l.items[l.head]!.task.kind];
      batch.push(l.items[l.head]!);
      // out of the queue at once: a task's `resolve` keeps its promise, and so its result
      // (an incident page's bytes), reachable for as long as the task is (10,000 pages: ~300 MB)
      l.items[l.head++] = undefined;
    }
    if (l.head < l.items.length) break; // the batch is full
    l.items.length = 0;
    l.head = 0;
  }
  return batch;
}

/**
 * A pool for one build: in-thread for small builds, else one thread of the tool's pool per
 * core (at most 8; started once per process). Tasks wait in the order given, and each thread
 * takes the next batch as it finishes one: an incident page whose incident a thread kept from
 * the parse goes to that thread (`db/kept-incidents.ts`), unless the others run out of work.
 */
export function createTaskPool(expectedTasks: number): TaskPool {
  const count = threadCount(expectedTasks, WORKER_THRESHOLD);
  if (count === 0) {
    return {
      threads: 0,
      run: async (tasks) => {
        if (tasks.some((t) => t.kind === 'markdown')) await loadMarkdownKit();
        return tasks.map(runTask);
      },
      spread: (tasks) => tasks.map((t) => Promise.resolve().then(() => new TextEncoder().encode(runTask(t)))),
      site: () => undefined,
      page: () => Promise.reject(new Error('incident pages are given to worker threads only')),
      close: async () => undefined,
    };
  }
  const shared = lane();
  let failed: Error | undefined;
  const workers: Worker[] = workerThreads(count).map((thread) => ({ thread, inFlight: 0, own: lane() }));
  const lock = writeLock();
  /**
   * Where `w` takes its next batch: its own lane, then the shared one; the other threads' own
   * lanes only when `w` is about to run out of work (those pages then read their incidents back).
   */
  const lanesOf = (w: Worker) => (w.inFlight <= 1 ? [w.own, shared, ...workers.filter((o) => o !== w).map((o) => o.own)] : [w.own, shared]);
  const pump = (w: Worker) => {
    while (!failed && w.inFlight < IN_FLIGHT) {
      const batch = takeBatch(lanesOf(w));
      if (batch.length === 0) return;
      w.inFlight++;
      w.thread.call<unknown[]>({ kind: 'tasks', body: { tasks: batch.map((q) => q.task) } }).then(
        (results) => {
          w.inFlight--;
          if (failed) {
            for (const q of batch) q.reject(failed);
            return;
          }
          batch.forEach((q, n) => q.resolve(results[n]));
          pump(w);
        },
        (error: Error) => {
          w.inFlight--;
          fail(error);
          for (const q of batch) q.reject(error);
        },
      );
    }
  };
  const fail = (error: Error) => {
    if (failed) return;
    failed = error;
    // a thread that stopped while it wrote a page would hold the lock for good
    release(lock);
    for (const l of [shared, ...workers.map((w) => w.own)]) for (const q of l.items.splice(l.head)) q!.reject(error);
  };
  const submit = <T>(task: SiteTask, to: Lane = shared) =>
    new Promise<T>((resolve, reject) => {
      if (failed) {
        reject(failed);
        return;
      }
      to.items.push({ task, resolve: resolve as (r: unknown) => void, reject });
      for (const w of workers) pump(w);
    });
  return {
    threads: count,
    run: (tasks) => Promise.all(tasks.map((t) => submit<string>(t))),
    spread(tasks) {
      const scripts = spreadTasks(tasks, workers, fail);
      for (const w of workers) w.thread.call({ kind: 'tasks', body: { tasks: [] } }).catch((error: Error) => fail(error));
      return scripts;
    },
    // (a thread answers in order: the site comes before any page task sent after it)
    site: (data) => {
      for (const w of workers) w.thread.call({ kind: 'site', body: { ...data, lock } }).catch((error: Error) => fail(error));
    },
    // to the thread that keeps the page's incident from the parse, if one does
    page: (task) => submit<WrittenPage>(task, workers.find((w) => w.thread === keptIn(task.job.file, task.job.digest))?.own),
    // the threads stay for the next build (`closeWorkerThreads` stops them); what was queued is dropped
    async close() {
      fail(new Error('the site build finished'));
    },
  };
}

/**
 * Search shards sent to the threads at once, a message each (shard n to thread n mod the count),
 * outside the queue and its batches in flight: the batches queued later wait behind them in the
 * thread, which never waits for this thread in between. For a cold build's search shards: given
 * two at a time, a thread that had done them waited for more while this thread worked out the
 * site's pages and rendered its lists (1,000 incidents: the threads were idle for about half of
 * the shards' time). Each is answered as soon as it is indexed, as bytes that move to this thread
 * (`shardsHandler`): a thread's whole share in one answer held its scripts in its heap until the
 * last, then copied them into one message, made again as strings here — ~18 MB at 10,000 incidents
 * at the render's start, three times over, when the build's memory peaks.
 */
export function spreadTasks(
  tasks: readonly ShardTask[],
  workers: readonly { thread: Thread }[],
  fail: (error: Error) => void,
): Promise<Uint8Array>[] {
  return tasks.map((task, n) => {
    const { thread } = workers[n % workers.length]!;
    const answer = thread
      .call<Uint8Array[]>({
        kind: 'shards',
        body: { db: task.db, site: task.site, shards: [{ path: task.path, ids: task.ids, digests: task.digests }], bytes: true },
      })
      .then((r) => r[0]!);
    answer.catch((error: Error) => fail(error));
    return answer;
  });
}

/** Where stale shards are indexed from: the database (open, and its file), and where their analyses are kept. */
export interface ShardSite {
  db: Database.Database;
  dbPath: string;
  kept: KeptSite;
}

/** Up to this many stale search shards are indexed in this thread (each a tenth of a second or less). */
export const SHARDS_HERE = 2;

/**
 * After an edit, one or two search shards are indexed again: in this thread, from their
 * incidents' analyses kept the previous time (`search-terms.ts`) and the database already open
 * for the others (a worker thread would start, load MiniSearch and the driver, and read the
 * database cold: more CPU than the indexing itself). Three or four go to a thread of the pool,
 * asked as soon as the build knows which, so that the indexing overlaps the rest of the build
 * on another core (or to this thread when workers cannot be used).
 */
export function shardsInBackground(site: ShardSite, shards: readonly ShardMembers[]): Promise<string[]> {
  if (!canUseWorkers || shards.length <= SHARDS_HERE) {
    return new Promise((resolve, reject) => {
      // later, so that the caller's other work goes first, as with a worker
      setImmediate(() => {
        try {
          resolve(shardsFromKept(site.db, site.kept, shards));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
  }
  const members = shards.map(({ path, ids, digests }) => ({ path, ids, digests }));
  return workerThreads(1)[0]!.call<string[]>({ kind: 'shards', body: { db: site.dbPath, site: site.kept, shards: members } });
}
