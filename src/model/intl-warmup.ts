import type { warmFormat } from './intl-warm.js';
import { GREGORIAN_INTL, LOCAL_DATE_FORMAT } from './time.js';

/**
 * The first `Intl.DateTimeFormat` of a process costs ~12 ms on a quiet machine (~35–70 ms at load
 * 5–13): ICU loads its locale, calendar and zone data. ICU keeps them for the whole process, so a
 * thread that makes one first leaves the main thread's first one at ~0.5 ms. A build that
 * checks an edited incident makes one on the main thread (`localDate` in `db/write.ts`, then the
 * site's dates): when a thread is already there (the scan's, `db/early-scan.ts`), the build asks it
 * to make the same formatter in the zone (a message, ~0.1 ms) as soon as it knows it is not a
 * replay, while the main thread reads the caches and the database (asked later, ICU's first
 * formatter still ran on the main thread: `localDate` median 21 ms in profiles at load ~7).
 *
 * No thread is started for it alone any more: where `build` takes its files from `find`
 * (`db/find-scan.ts`, Linux) there is no scan thread, and a thread of its own (a worker of a few
 * lines, ~3 ms of the main thread to start, the rest on the other core) cost a title edit at
 * 10,000 more wall time than it saved the main thread: 80 alternating pairs on two cores, wall
 * −14 and −18 ms without it, main thread +7 and +8 ms (docs/performance.md, sixteenth round).
 */

/** What the thread is given: `localDate`'s formatter options in the zone, and the instant to format. */
export type WarmRequest = Parameters<typeof warmFormat>[0];

/** The request that loads ICU's date data for `timeZone` (an instant Intl's calendar gives as the documents do: `GREGORIAN_INTL`; its text is not used). */
export function warmRequest(timeZone: string): WarmRequest {
  return { options: { ...LOCAL_DATE_FORMAT, timeZone }, at: GREGORIAN_INTL };
}
