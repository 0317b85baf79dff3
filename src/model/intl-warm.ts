/**
 * ICU's first date formatter in the request's zone (`intl-warmup.ts`), on a thread: made, used once
 * on the instant `GREGORIAN_INTL` (its text is not used), dropped. A module of its own, without
 * `time.ts`, so that the thread of `db/early-scan.ts` runs it without loading Temporal.
 */
export function warmFormat(request: { options: Intl.DateTimeFormatOptions; at: number }): void {
  new Intl.DateTimeFormat('en-US', request.options).formatToParts(request.at);
}
