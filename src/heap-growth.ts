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

/**
 * Meanwhile the young generations stop growing (`--semi-space-growth-factor=1`, read by V8 each
 * time a young generation would grow). This thread's is then held at about the size it has when
 * the limit is first taken — 8 MB at the start of a database build, 17 MB once the first worker
 * thread has started (below) — against the 32–34 MB it grows to within two seconds otherwise,
 * mostly empty (a cold `build` of 1,000 incidents peaked ~30 MB lower for the same CPU;
 * docs/performance.md, eighth round: mem10). A worker thread started meanwhile starts with its
 * young generation whole (`--min-semi-space-size`, in MB, capped by
 * the thread's own limit, `threads/pool.ts`), as it would have grown to at once. V8 puts the
 * growth factor back to its default (2) when a thread starts: `threadStarted` sets it again, once
 * the thread answers (not sooner: the thread names its code cache by the flags it starts under).
 */
const HELD_YOUNG = ['--semi-space-growth-factor=1', '--min-semi-space-size=8'];
const FREE_YOUNG = ['--semi-space-growth-factor=2', '--min-semi-space-size=0'];

let holders = 0;

const setFlags = (flags: readonly string[]) => {
  for (const flag of flags) setFlagsFromString(flag);
};

/** Limits the heaps' growth (`SCRATCH_HEAP_GROWTH`, `HELD_YOUNG`) until the returned function is called. */
export function limitHeapGrowth(): () => void {
  if (holders++ === 0) setFlags([`--heap-growing-percent=${SCRATCH_HEAP_GROWTH}`, ...HELD_YOUNG]);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) setFlags(['--heap-growing-percent=0', ...FREE_YOUNG]); // V8's own growth again
  };
}

/** A worker thread is running (its heap is set up, which put V8's young generation growth back): held again if it is. */
export function threadStarted(): void {
  if (holders > 0) setFlags(HELD_YOUNG.slice(0, 1));
}
