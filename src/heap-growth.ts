import { setFlagsFromString } from 'node:v8';

/**
 * How much V8 lets a heap grow past what its last full collection kept (per cent), while a
 * database or a site is built from scratch. By default a heap may grow up to 4× on a machine with
 * gigabytes of memory: at 10,000 incidents the database's first build took this thread's heap to
 * 150–225 MB for 25–65 MB kept, the site's planning to 200–225 MB for ~90–115 MB kept, and each
 * worker thread's to ~60–115 MB for 10–50 MB. A cold `build` of 10,000 incidents peaked at 495 MB
 * with 50 %, 457 MB with 25 %, 427 MB with 15 %, for no CPU difference beyond the runs' spread (a
 * third more full collections; see docs/performance.md, sixth round). The setting is V8's, for
 * the whole process (worker threads included), and not a documented runtime option of Node; it
 * is put back to V8's own rule when the last holder releases it.
 */
const SCRATCH_HEAP_GROWTH = 15;

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
