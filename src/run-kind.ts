/**
 * What kind of run this process is, as far as the code it runs goes: `build` says whether it
 * built the database from scratch (`first`), found nothing changed (`replay`) or brought it up to
 * date after edits (`update`). The code cache (`code-cache.ts`) is written again by the first run
 * of a kind its cache has not seen, so that every kind's functions end up in it. Kept on
 * `globalThis`: `code-cache.ts` reads it from `dist/cli.js`'s modules, the command sets it from its
 * bundle's (two copies of this module).
 */
export const RUN_KINDS = ['first', 'replay', 'update'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

const KEY = Symbol.for('postmortem-kb.run-kind');

/** Says what kind of run this is (the last call counts). */
export function noteRunKind(kind: RunKind): void {
  (globalThis as { [KEY]?: RunKind })[KEY] = kind;
}

/** The kind noted, if any. */
export function runKind(): RunKind | undefined {
  return (globalThis as { [KEY]?: RunKind })[KEY];
}
