import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { UserError } from '../commands/context.js';
import { threadStarted } from '../heap-growth.js';

/**
 * The tool's one pool of worker threads. Every costly stage that runs on several cores — the
 * database build's parsing and checking (`db/parse.ts`), the site's Markdown, search shards
 * and incident pages (`site/parallel.ts`) — sends its work to these threads, so a command that
 * builds the database and then the site starts its threads (and loads their modules) once, and
 * `serve` keeps them between rebuilds. A thread loads a stage's modules on its first request
 * of that kind (`worker.ts`). Idle threads do not keep the process alive.
 */

/** What a thread is asked: a kind (see `worker.ts`) and plain data. */
export type Request =
  | { kind: 'parse'; body: import('../db/parse.js').ParseRequest }
  | { kind: 'site'; body: import('../site/parallel.js').SiteWorkerData }
  | { kind: 'tasks'; body: import('../site/parallel.js').TaskBatch }
  | { kind: 'shards'; body: import('../site/search.js').ShardsRequest }
  /** Write the thread's code cache if it has none that V8 took (`worker.ts`). */
  | { kind: 'code-cache'; body?: undefined };

export interface Thread {
  /**
   * Sends a request; the answer comes in the order asked. A failure in the thread rejects it (a `UserError` stays one).
   * `transfer`: buffers of the request that move to the thread (not copied; unusable here after).
   */
  call<T>(request: Request, transfer?: ArrayBuffer[]): Promise<T>;
}

const workerUrl = new URL('./worker.js', import.meta.url);
/** Worker threads need the compiled worker module (running from `dist/`, not from TypeScript sources under a test runner). */
export const canUseWorkers = import.meta.url.endsWith('.js');
/** At most this many threads, whatever the cores. */
const MAX_THREADS = 8;

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface Running extends Thread {
  worker: Worker;
  dead: boolean;
}

const threads: Running[] = [];

/** How many threads a stage with this much work should use: one per core (at most 8), none below `threshold`. */
export function threadCount(work: number, threshold: number): number {
  return canUseWorkers && work >= threshold ? Math.min(availableParallelism(), MAX_THREADS) : 0;
}

/** `count` threads of the pool, started if need be (threads that failed are replaced). */
export function workerThreads(count: number): Thread[] {
  for (let n = threads.length - 1; n >= 0; n--) if (threads[n]!.dead) threads.splice(n, 1);
  if (count > 0 && !process.listeners('beforeExit').includes(writeCodeCaches)) process.once('beforeExit', writeCodeCaches);
  while (threads.length < Math.min(count, MAX_THREADS)) threads.push(startThread());
  return threads.slice(0, count);
}

/**
 * When the process has nothing left to do, each thread writes its code cache if it needs one
 * (`worker.ts`); the process ends when they have answered. Once (until threads are started
 * again): the answers leave the process idle again.
 */
function writeCodeCaches(): void {
  for (const t of threads) if (!t.dead) t.call({ kind: 'code-cache' }).catch(() => undefined);
}

/** Stops every thread (the process exits without this too: idle threads are unreferenced). */
export async function closeWorkerThreads(): Promise<void> {
  const all = threads.splice(0);
  await Promise.all(all.map((t) => t.worker.terminate()));
}

/**
 * A thread on `worker.ts`. Node refuses V8's own flags in a thread's `execArgv` (`node
 * --single-threaded-gc …`): they are the process's, so the thread is then started with what it
 * inherits.
 */
function newWorker(options: WorkerOptions): Worker {
  try {
    return new Worker(fileURLToPath(workerUrl), options);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(fileURLToPath(workerUrl), { ...options, execArgv: undefined });
  }
}

function startThread(): Running {
  const worker = newWorker({
    // The young generation: a file's parse tree is garbage once its results are made, so a
    // larger one lets fewer minor collections find (and copy, then promote) live trees. With
    // 8 MB a parsing thread spent ~19% of its time collecting garbage; 64 MB cost ~45 MB more
    // peak memory per thread. Since the parse threads keep one compiled schema and parse less
    // Markdown (2026-12-06), 16 MB costs no measurable CPU against 64 MB and ~80 MB less peak
    // memory in all (cold `site` of 1,000 incidents: 440–460 MB against 538 MB); 32 MB measured
    // the same CPU again on 2026-12-07 (64 MB: +0.5 s and +60 MB). 8 MB, measured again on
    // 2026-12-07 (seventh round): the same CPU as 16 MB (cold `build` of 1,000, medians of three
    // alternating runs: 10.3 s against 11.0 s; 4 MB: 12.3 s), ~15 MB less per thread at the peak of
    // a cold build of 10,000 (each page thread ~48 MB committed against ~64 MB).
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
    execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type') && a !== '-e' && a !== '--eval'),
  });
  worker.unref();
  // once the thread answers (its code cache is named by the flags it started under, `worker.ts`)
  worker.once('message', threadStarted);
  const pending = new Map<number, Pending>();
  let next = 0;
  const t: Running = {
    worker,
    dead: false,
    call<T>(request: Request, transfer: ArrayBuffer[] = []) {
      if (t.dead) return Promise.reject(new Error('a worker thread stopped'));
      const id = next++;
      if (pending.size === 0) worker.ref();
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
        worker.postMessage({ id, ...request }, transfer);
      });
    },
  };
  const settle = (id: number) => {
    const p = pending.get(id)!;
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    return p;
  };
  worker.on('message', (m: { id: number; result?: unknown; error?: string; user?: boolean; hint?: string }) => {
    const p = settle(m.id);
    if (m.error === undefined) p.resolve(m.result);
    else p.reject(m.user ? new UserError(m.error, m.hint) : new Error(m.error));
  });
  const die = (error: Error) => {
    t.dead = true;
    for (const id of [...pending.keys()]) settle(id).reject(error);
  };
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`a worker thread stopped (exit code ${code})`)));
  return t;
}
