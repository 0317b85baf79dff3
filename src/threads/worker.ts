import { join } from 'node:path';
import { loadWithCodeCache, v8FlagHash } from '../code-cache.js';
import { PACKAGE_ROOT } from '../paths.js';
import type * as Requests from './requests.js';

/**
 * A thread of the pool (`pool.ts`). It runs `dist/worker.cjs` (`requests.ts` and every module a
 * request loads, bundled as CommonJS by scripts/bundle.mjs) with V8's code cache, as the main
 * thread runs the CLI (`start.ts`): a thread then compiles almost nothing. Without a usable cache
 * it compiles the bundle and writes the cache while the main thread waits for its answer (an idle
 * thread ends with the process, unwarned): after the first request of each kind and when the
 * process has nothing else to do (`requests.ts`). V8 refuses a cache made under other flags, and
 * the site build sets one while it runs (`v8FlagHash`): the cache is named by the flags the
 * thread started under, and written only under those. An unbundled build answers from the ES
 * modules. (This file's own `import.meta.url` is not used: scripts/bundle.mjs places it for a
 * chunk at the top of dist/.)
 */
const flags = v8FlagHash();
const bundled = loadWithCodeCache(join(PACKAGE_ROOT, 'dist', 'worker.cjs'), `worker ${flags}`);
/**
 * Whether the flags stayed as they were named while the cache was read. A thread starting sets
 * V8's young generation's growth back, and the pool sets it again once that thread answers
 * (`heap-growth.ts`): the flag hash can change between naming the cache and V8 reading it, and V8
 * then refuses a cache that fits this thread. Its file is not written over then (the next run
 * takes it): a cache V8 took stays as it is. Likewise a cache is written only when V8 made it under
 * the flags it is named by (`writeCache(flags)`: they can change between the check and the
 * cache's making): under load, `test/code-cache.test.ts` saw a second build rewrite the thread's
 * cache, in a fresh-clone CI and in 2 of 3 runs beside it.
 */
const readUnderOwnFlags = v8FlagHash() === flags;
if (!bundled) (await import('./requests.js')).answerRequests();
else if (bundled.cached || !readUnderOwnFlags) (bundled.exports as typeof Requests).answerRequests();
else (bundled.exports as typeof Requests).answerRequests(() => v8FlagHash() === flags && bundled.writeCache(flags));
