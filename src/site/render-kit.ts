import type * as Rendering from './rendering.js';

/**
 * The site's rendering code (`rendering.ts`), loaded on demand: `loadRenderKit()` before the
 * first page is rendered (`writePages`, the task pool, the worker threads), `renderKit()` in the
 * code that renders. A build whose pages are all up to date loads none of it.
 */
let kit: typeof Rendering | undefined;

export async function loadRenderKit(): Promise<typeof Rendering> {
  kit ??= await import('./rendering.js');
  return kit;
}

export function renderKit(): typeof Rendering {
  if (!kit) throw new Error('the site rendering code is used before loadRenderKit()');
  return kit;
}
