import { createRequire } from 'node:module';
import type { Root } from 'mdast';

/**
 * remark (with GFM) as the readers use it, loaded on first use: remark and micromark are some
 * 150 modules, and most commands — `check` of plain files, `--help`, a build with nothing to
 * parse — never need them. Node (20.19 and later) loads these ES modules with `require`, so the
 * readers stay synchronous.
 */
const require = createRequire(import.meta.url);

type Parse = (text: string) => Root;
let withFrontmatter: Parse | undefined;
let plain: Parse | undefined;

function parser(frontmatter: boolean): Parse {
  const { unified } = require('unified') as typeof import('unified');
  const remarkParse = (require('remark-parse') as typeof import('remark-parse')).default;
  const remarkGfm = (require('remark-gfm') as typeof import('remark-gfm')).default;
  const processor = unified().use(remarkParse).use(remarkGfm);
  if (frontmatter) processor.use((require('remark-frontmatter') as typeof import('remark-frontmatter')).default, ['yaml']);
  return (text) => processor.parse(text) as Root;
}

/** The mdast of a whole incident file: GFM and YAML front-matter. */
export function parseIncidentMarkdown(text: string): Root {
  return (withFrontmatter ??= parser(true))(text);
}

/** The mdast of a piece of Markdown (GFM, no front-matter). */
export function parseMarkdown(text: string): Root {
  return (plain ??= parser(false))(text);
}
