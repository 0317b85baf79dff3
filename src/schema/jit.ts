import { z } from 'zod';

/**
 * zod compiles a fast path (`new Function`) for each object schema on its first parse. Over
 * hundreds of files that pays (about 2.5% of a 1,000-file check); for a schema parsed once
 * (the config) or a process that validates a few files (`check <file>` after a build), it is
 * pure cost: about 20 ms of `check`'s CPU. The parse is the same either way.
 */
export const ONCE = { jitless: true } as const;

/** Schemas made after this call parse without compiling (for a process that validates a few files). */
export function parseWithoutCompiling(): void {
  z.config({ jitless: true });
}
