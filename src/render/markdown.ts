import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkRehype from 'remark-rehype';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';

/**
 * Markdown from incidents to HTML: remark → remark-rehype (raw HTML dropped, never passed
 * through) → rehype-sanitize (last) → HTML. Customer documents use a tighter schema:
 * no images except inline data, links only https and mailto.
 */
const internalSchema: SanitizeSchema = {
  ...defaultSchema,
  protocols: { ...defaultSchema.protocols, href: ['http', 'https', 'mailto'], src: ['data'] },
};

const customerSchema: SanitizeSchema = {
  ...defaultSchema,
  tagNames: (defaultSchema.tagNames ?? []).filter((t) => !['img', 'input', 'picture', 'source', 'details', 'summary'].includes(t)),
  protocols: { href: ['https', 'mailto'], cite: ['https'] },
  clobberPrefix: 'user-content-',
};

const processors = {
  customer: unified().use(remarkParse).use(remarkGfm).use(remarkRehype).use(rehypeSanitize, customerSchema).use(rehypeStringify),
  internal: unified().use(remarkParse).use(remarkGfm).use(remarkRehype).use(rehypeSanitize, internalSchema).use(rehypeStringify),
};

export type Audience = 'customer' | 'internal';

/** Sanitised HTML for a piece of Markdown written in an incident. */
export function markdownToHtml(markdown: string, audience: Audience): string {
  const processor = processors[audience];
  return String(processor.processSync(markdown)).trim();
}
