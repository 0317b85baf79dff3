import { Worker } from 'node:worker_threads';
import { GREGORIAN_INTL, LOCAL_DATE_FORMAT } from './time.js';

/**
 * The first `Intl.DateTimeFormat` of a process costs ~12 ms on a quiet machine (~35–70 ms at load
 * 5–13): ICU loads its locale, calendar and zone data. ICU keeps them for the whole process, so a
 * thread that makes one first leaves the main thread's first one at ~0.5 ms. A build that
 * checks an edited incident makes one on the main thread (`localDate` in `db/write.ts`, then the
 * site's dates): `warmDateFormats` starts a thread that makes the same formatter in the zone,
 * while the main thread reads the caches and the database (~50 ms quiet before it first needs one;
 * the thread is done ~35 ms after it is asked). It runs `WARM` alone, not a thread of the
 * pool (`threads/pool.ts`), which would load the 2.4 MB worker bundle first. It holds nothing:
 * the process does not wait for it, and a failure (a zone ICU does not know) is left to the main
 * thread's own formatter to report as it does now.
 */
const WARM = `const { options, at } = require('node:worker_threads').workerData;
new Intl.DateTimeFormat('en-US', options).formatToParts(at);`;

export function warmDateFormats(timeZone: string): void {
  try {
    const worker = new Worker(WARM, {
      eval: true,
      // an instant Intl's calendar gives as the documents do (`GREGORIAN_INTL`); its text is not used
      workerData: { options: { ...LOCAL_DATE_FORMAT, timeZone }, at: GREGORIAN_INTL },
      execArgv: [],
      stdout: true,
      stderr: true,
    });
    worker.on('error', () => undefined);
    worker.unref();
  } catch {
    // no thread (a limit on threads): the main thread's first formatter loads the data
  }
}
