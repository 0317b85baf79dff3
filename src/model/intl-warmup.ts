import { Worker } from 'node:worker_threads';
import { warmFormat } from './intl-warm.js';
import { GREGORIAN_INTL, LOCAL_DATE_FORMAT } from './time.js';

/**
 * The first `Intl.DateTimeFormat` of a process costs ~12 ms on a quiet machine (~35–70 ms at load
 * 5–13): ICU loads its locale, calendar and zone data. ICU keeps them for the whole process, so a
 * thread that makes one first leaves the main thread's first one at ~0.5 ms. A build that
 * checks an edited incident makes one on the main thread (`localDate` in `db/write.ts`, then the
 * site's dates): `warmDateFormats` starts a thread that makes the same formatter in the zone,
 * while the main thread reads the caches and the database. The thread must be done first: while it
 * is loading the data, the main thread's first formatter costs as much as without it, or more
 * (19–40 ms against 12–16 alone, fresh process, load ~3.5; after the thread is done 0.4–1 ms),
 * and it is done only after ~60–100 ms of the main thread's work (its start is a thread's,
 * ~30 ms, then ICU's data). So a build asks for it as soon as it knows it is not a replay
 * (`db/knowledge-base.ts`): asked after the stamps and the database's files were read (~50 ms
 * before `localDate`), ICU's first formatter still ran on the main thread (`localDate` median
 * 21 ms in profiles at load ~7; 0.3 ms asked earlier). It runs `WARM` alone, not a thread of the
 * pool (`threads/pool.ts`), which would load the 2.4 MB worker bundle first. It holds nothing:
 * the process does not wait for it, and a failure (a zone ICU does not know) is left to the main
 * thread's own formatter to report as it does now.
 */
const WARM = `(${warmFormat})(require('node:worker_threads').workerData);`;

/** What the thread is given: `localDate`'s formatter options in the zone, and the instant to format. */
export type WarmRequest = Parameters<typeof warmFormat>[0];

/**
 * Loads ICU's date data on a thread: `onThread`'s, when a thread is already there to ask (the
 * scan's, `db/early-scan.ts`: a message, ~0.1 ms, against ~7 ms on the main thread and ~30–55 ms
 * of the other core's CPU to start one), else a thread of its own.
 */
export function warmDateFormats(timeZone: string, onThread?: (request: WarmRequest) => void): void {
  // an instant Intl's calendar gives as the documents do (`GREGORIAN_INTL`); its text is not used
  const request: WarmRequest = { options: { ...LOCAL_DATE_FORMAT, timeZone }, at: GREGORIAN_INTL };
  if (onThread) onThread(request);
  else startWarmThread(request);
}

function startWarmThread(request: WarmRequest): void {
  try {
    const worker = new Worker(WARM, { eval: true, workerData: request, execArgv: [], stdout: true, stderr: true });
    worker.on('error', () => undefined);
    worker.unref();
  } catch {
    // no thread (a limit on threads): the main thread's first formatter loads the data
  }
}
