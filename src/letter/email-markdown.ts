import type { Definition, Root, RootContent } from 'mdast';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';

/**
 * The Markdown letter, ready to paste into an e-mail: every paragraph on one line (soft line
 * breaks of wrapped source text become spaces, hard breaks too, so no line ends in a
 * backslash), and links in reference style (`[text][1]` with `[1]: https://…` at the end), so
 * a long address never breaks a sentence. Applied to the whole rendered letter, whose parts
 * are already sanitised customer Markdown.
 */
const parser = unified().use(remarkParse).use(remarkGfm);
const serializer = unified()
  .use(remarkStringify, { bullet: '-', emphasis: '_', strong: '*', fences: true, rule: '-', tightDefinitions: true })
  .use(remarkGfm);

function flatten(nodes: RootContent[], urls: Map<string, string>): RootContent[] {
  return nodes.map((node): RootContent => {
    if (node.type === 'text') return { type: 'text', value: node.value.replace(/[ \t]*\n[ \t]*/g, ' ') };
    if (node.type === 'break') return { type: 'text', value: ' ' };
    if (node.type === 'link') {
      let id = urls.get(node.url);
      if (id === undefined) urls.set(node.url, (id = String(urls.size + 1)));
      return { type: 'linkReference', identifier: id, label: id, referenceType: 'full', children: flatten(node.children, urls) as never };
    }
    if ('children' in node) return { ...node, children: flatten(node.children as RootContent[], urls) } as RootContent;
    return node;
  });
}

export function emailReady(markdown: string): string {
  const tree = parser.parse(markdown) as Root;
  const urls = new Map<string, string>();
  const children = flatten(tree.children, urls);
  const definitions: Definition[] = [...urls].map(([url, id]) => ({ type: 'definition', identifier: id, label: id, url, title: null }));
  return `${String(serializer.stringify({ type: 'root', children: [...children, ...definitions] })).trim()}\n`;
}
