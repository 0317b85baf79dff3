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
function onDemand<M>(load: () => Promise<M>, what: string, loader: string): { load(): Promise<M>; get(): M } {
  let loaded: M | undefined;
  return {
    load: async () => {
      loaded ??= await load();
      return loaded;
    },
    get: () => {
      if (!loaded) throw new Error(`the ${what} is used before ${loader}()`);
      return loaded;
    },
  };
}

const rendering = onDemand(() => import('./rendering.js'), 'site rendering code', 'loadRenderKit');
const markdown = onDemand(() => import('../render/markdown.js'), 'Markdown code', 'loadMarkdownKit');

export const loadRenderKit: () => Promise<typeof Rendering> = rendering.load;
export const renderKit: () => typeof Rendering = rendering.get;
export const loadMarkdownKit: () => Promise<typeof Markdown> = markdown.load;
export const markdownKit: () => typeof Markdown = markdown.get;
