import { defaultSchema, sanitize, type Schema } from 'hast-util-sanitize';
import type { Element, ElementContent, Root } from 'hast';
import { hastToHtml } from './hast-html.js';
import { createGfmParser } from './markdown-it-gfm.js';
import { tokensToHast } from './tokens-to-hast.js';

/**
 * Markdown from incidents to HTML. The parse is markdown-it's (about fifteen times faster than
 * remark-parse + remark-gfm, which set the site build's pace); everything after the tree is
 * the remark pipeline's: `tokensToHast` builds exactly the hast tree remark-rehype would
 * (raw HTML dropped, never passed through), then hast-util-sanitize (last, the same schemas
 * rehype-sanitize applied) and hast-util-to-html (what rehype-stringify runs; `hastToHtml` does
 * its work for the trees Markdown makes).
 * test/markdown-parity.test.ts holds the remark pipeline as the reference and checks the two
 * give the same bytes; docs/architecture.md lists the known differences.
 *
 * Customer documents use a tighter schema: no images except inline data, links only https and
 * mailto.
 */
/**
 * The tree step already gives the only ids Markdown can make (footnotes and their references)
 * the `user-content-` prefix, as remark-rehype does; prefixing them again here (the default
 * `clobberPrefix`) broke every footnote link and back-reference.
 */
const internalSchema: Schema = {
  ...defaultSchema,
  clobberPrefix: '',
  protocols: { ...defaultSchema.protocols, href: ['http', 'https', 'mailto'], src: ['data'] },
};

const customerSchema: Schema = {
  ...defaultSchema,
  tagNames: (defaultSchema.tagNames ?? []).filter((t) => !['img', 'input', 'picture', 'source', 'details', 'summary'].includes(t)),
  protocols: { href: ['https', 'mailto'], cite: ['https'] },
  clobberPrefix: '',
};

const schemas: Record<Audience, Schema> = { customer: customerSchema, internal: internalSchema };

const parser = createGfmParser();

export type Audience = 'customer' | 'internal';

/**
 * Sanitised HTML for a piece of Markdown written in an incident. `idPrefix` keeps the footnote
 * ids of several pieces on one page apart (default `user-content-`, as remark-rehype).
 */
export function markdownToHtml(markdown: string, audience: Audience, idPrefix?: string): string {
  const tree = tokensToHast(parser.parse(markdown, {}), idPrefix);
  return hastToHtml(sanitize(tree, schemas[audience])).trim();
}

/**
 * An image the sanitiser took the address from (anything but a `data:` URL) would print as a
 * broken-image icon. In printed documents it becomes a note with its alt text instead.
 */
function replaceDroppedImages(node: Root | Element): void {
  node.children = node.children.map((child): ElementContent => {
    if (child.type !== 'element') return child as ElementContent;
    if (child.tagName === 'img' && child.properties.src === undefined) {
      const alt = typeof child.properties.alt === 'string' && child.properties.alt ? `: ${child.properties.alt}` : '';
      return {
        type: 'element',
        tagName: 'span',
        properties: { className: ['image-dropped'] },
        children: [{ type: 'text', value: `[image not included${alt}]` }],
      };
    }
    replaceDroppedImages(child);
    return child;
  }) as typeof node.children;
}

/** `markdownToHtml` for printed documents (packets): images without an allowed address become a note. */
export function markdownToPrintHtml(markdown: string, audience: Audience, idPrefix?: string): string {
  const tree = sanitize(tokensToHast(parser.parse(markdown, {}), idPrefix), schemas[audience]) as Root;
  replaceDroppedImages(tree);
  return hastToHtml(tree).trim();
}
