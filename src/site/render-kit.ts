import type * as Markdown from '../render/markdown.js';
import type * as Rendering from './rendering.js';

/**
 * The site's rendering code (`rendering.ts`), loaded on demand: `loadRenderKit()` before the
 * first page is rendered (`writePages`, the task pool, the worker threads), `renderKit()` in the
 * code that renders. A build whose pages are all up to date loads none of it.
 *
 * Markdown (`render/markdown.ts`: markdown-it, hast, the sanitiser) is loaded apart, by
 * `loadMarkdownKit()` before a section's Markdown is rendered (a `markdown` task, or a page with
 * no previous file to copy its sections from), `markdownKit()` where it is: after an edited
 * title, the pages rendered again copy every section from their previous files and render none.
 */
let kit: typeof Rendering | undefined;
let markdown: typeof Markdown | undefined;

export async function loadRenderKit(): Promise<typeof Rendering> {
  kit ??= await import('./rendering.js');
  return kit;
}

export function renderKit(): typeof Rendering {
  if (!kit) throw new Error('the site rendering code is used before loadRenderKit()');
  return kit;
}

export async function loadMarkdownKit(): Promise<typeof Markdown> {
  markdown ??= await import('../render/markdown.js');
  return markdown;
}

export function markdownKit(): typeof Markdown {
  if (!markdown) throw new Error('the Markdown code is used before loadMarkdownKit()');
  return markdown;
}
