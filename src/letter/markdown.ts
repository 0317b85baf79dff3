import Handlebars from 'handlebars';
import type { Root, RootContent } from 'mdast';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';

/**
 * Markdown for the Markdown letter. The HTML letter gets customer Markdown through
 * `markdownToHtml(md, 'customer')`; the Markdown letter needs the same guarantees in
 * Markdown: raw HTML never passes through, no images, links only https and mailto.
 * The text is parsed, reduced to an allowlist of node types, and written back out, so
 * whatever survives is escaped by the serializer rather than by hand.
 */

const parser = unified().use(remarkParse).use(remarkGfm);
const serializer = unified().use(remarkStringify, { bullet: '-', emphasis: '_', strong: '*', fences: true, rule: '-' }).use(remarkGfm);

/** Node types kept as they are (their children are sanitised in turn). */
const KEPT = new Set([
  'root',
  'paragraph',
  'text',
  'emphasis',
  'strong',
  'delete',
  'inlineCode',
  'code',
  'blockquote',
  'list',
  'listItem',
  'heading',
  'thematicBreak',
  'break',
  'table',
  'tableRow',
  'tableCell',
  'link',
  'footnoteReference',
  'footnoteDefinition',
]);
/** Node types whose children are kept but the node itself dropped. */
const UNWRAPPED = new Set(['linkReference']);

const SAFE_URL = /^(?:https:\/\/|mailto:)/i;

function sanitizeChildren(children: readonly RootContent[]): RootContent[] {
  const out: RootContent[] = [];
  for (const child of children) {
    if (child.type === 'link' && !SAFE_URL.test(child.url.trim())) {
      out.push(...sanitizeChildren(child.children));
      continue;
    }
    if (UNWRAPPED.has(child.type) && 'children' in child) {
      out.push(...sanitizeChildren(child.children as RootContent[]));
      continue;
    }
    if (!KEPT.has(child.type)) continue; // html, image, imageReference, definition, yaml: dropped
    if (child.type === 'link') {
      out.push({ type: 'link', url: child.url.trim(), children: sanitizeChildren(child.children) as typeof child.children });
      continue;
    }
    if ('children' in child) {
      const children = sanitizeChildren(child.children as RootContent[]);
      // A paragraph or heading that held only dropped content goes too.
      if ((child.type === 'paragraph' || child.type === 'heading') && children.every((c) => c.type === 'text' && !c.value.trim())) continue;
      const copy = { ...child, children } as RootContent;
      delete (copy as { position?: unknown }).position;
      out.push(copy);
      continue;
    }
    const copy = { ...child } as RootContent;
    delete (copy as { position?: unknown }).position;
    out.push(copy);
  }
  return out;
}

function stringify(tree: Root): string {
  return String(serializer.stringify(tree)).trim();
}

/** Customer Markdown (from an incident or a prose template), sanitised, as Markdown. */
export function customerMarkdown(markdown: string): string {
  const tree = parser.parse(markdown) as Root;
  return stringify({ type: 'root', children: sanitizeChildren(tree.children) });
}

/** Plain text as Markdown that shows exactly that text: every Markdown and HTML character escaped. */
export function markdownText(text: string): string {
  const value = text.replace(/\s+/g, ' ').trim();
  if (!value) return '';
  return stringify({ type: 'root', children: [{ type: 'paragraph', children: [{ type: 'text', value }] }] });
}

/** Marks Markdown produced by `customerMarkdown`/`markdownText` as already escaped for the Markdown letter. */
export function safeMarkdown(markdown: string): Handlebars.SafeString {
  return new Handlebars.SafeString(markdown);
}

/**
 * Customer Markdown without what would reach customers as debris: a `<script>` or `<style>`
 * element with its content (raw HTML tags are dropped later, which would leave the script's
 * text behind), and inline links to anything but https/mailto, which keep their words only
 * (the sanitiser would leave a dead, link-coloured "Details").
 */
export function withoutDeadMarkup(markdown: string): string {
  return markdown
    .replace(/<(script|style)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, '')
    .replace(/(!?)\[([^\]\n]*)\]\(\s*<?(?!https:\/\/|mailto:)[^)\n]*\)/gi, (_all, bang: string, words: string) => (bang ? '' : words));
}
