import { setFlagsFromString } from 'node:v8';

/**
 * How much V8 lets a heap grow past what its last full collection kept (per cent), while a
 * database or a site is built from scratch. By default a heap may grow up to 4× on a machine with
 * gigabytes of memory: at 10,000 incidents the database phase took this thread's heap to
 * 170–225 MB for 25–65 MB kept, the site's planning to 330–375 MB for ~130–175 MB kept, and each
 * worker thread's to ~60–115 MB for 10–50 MB (see docs/performance.md, fifth and sixth rounds).
 * The setting is V8's, for the whole process (worker threads included), and not a documented
 * runtime option of Node; it is put back to V8's own rule when the last holder releases it.
 */
const SCRATCH_HEAP_GROWTH = 50;

let holders = 0;

/** Limits the heaps' growth (`SCRATCH_HEAP_GROWTH`) until the returned function is called. */
export function limitHeapGrowth(): () => void {
  if (holders++ === 0) setFlagsFromString(`--heap-growing-percent=${SCRATCH_HEAP_GROWTH}`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) setFlagsFromString('--heap-growing-percent=0'); // V8's own growth again
  };
}

/** `f` with the heaps' growth limited (see `limitHeapGrowth`) until it settles. */
export async function withLimitedHeapGrowth<T>(f: () => Promise<T>): Promise<T> {
  const release = limitHeapGrowth();
  try {
    return await f();
  } finally {
    release();
  }
}
