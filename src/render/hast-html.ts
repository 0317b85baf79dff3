import type { Element, Nodes, Properties } from 'hast';
import { toHtml } from 'hast-util-to-html';

/**
 * hast-util-to-html (default options) for the trees Markdown gives after sanitising: roots,
 * elements and texts, the attributes in `ATTRIBUTES`. Anything else — another node type, an
 * unknown property, an element whose content is not HTML (`svg`, `math`, `template`, `script`,
 * `style`) — is left to hast-util-to-html, which serialises the whole tree instead.
 *
 * Why: hast-util-to-html looks every attribute up in property-information, copies its options
 * object per text and attribute (`Object.assign`), runs a regular expression per text, and
 * joins an array per element. In a cold `site` of 1,000 generated incidents it was 480 ms of
 * a worker thread's 1,650 ms of Markdown (profile, 500 pages; this walk: 55–65 ms in the same
 * profile of this branch), and hot it takes about half the time on the same trees (45–68
 * against 88–145 ms for 7,000 sections; docs/performance.md, "cold13render").
 * test/render-fast-paths.test.ts and the Markdown parity test hold the two
 * equal on every tree of the Markdown tests and on every attribute of the table.
 */
export function hastToHtml(tree: Nodes): string {
  try {
    return one(tree);
  } catch (error) {
    if (error === UNKNOWN) return toHtml(tree);
    throw error;
  }
}

/** Thrown to give a tree to hast-util-to-html. */
const UNKNOWN = Symbol('not serialised here');

/** How an attribute is written (property-information's `html` schema, as hast-util-to-html reads it). */
interface Attribute {
  name: string;
  /** `boolean` in property-information: written bare when true, left out when false. */
  boolean?: true;
}

/**
 * The properties Markdown's elements have (`tokens-to-hast.ts`), by hast name. None is
 * comma-separated: a list is joined with spaces, as hast-util-to-html joins those.
 */
export const ATTRIBUTES: Readonly<Record<string, Attribute>> = {
  href: { name: 'href' },
  title: { name: 'title' },
  src: { name: 'src' },
  alt: { name: 'alt' },
  id: { name: 'id' },
  start: { name: 'start' },
  type: { name: 'type' },
  align: { name: 'align' },
  className: { name: 'class' },
  checked: { name: 'checked', boolean: true },
  disabled: { name: 'disabled', boolean: true },
  dataFootnotes: { name: 'data-footnotes' },
  dataFootnoteRef: { name: 'data-footnote-ref' },
  dataFootnoteBackref: { name: 'data-footnote-backref' },
  ariaDescribedBy: { name: 'aria-describedby' },
  ariaLabelledBy: { name: 'aria-labelledby' },
  ariaLabel: { name: 'aria-label' },
};

/** html-void-elements, as hast-util-to-html uses them: no closing tag (unless they have content). */
const VOID = new Set([
  'area',
  'base',
  'basefont',
  'bgsound',
  'br',
  'col',
  'command',
  'embed',
  'frame',
  'hr',
  'image',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

/** Elements whose content hast-util-to-html writes otherwise (another schema, raw text). */
const OTHER_CONTENT = new Set(['svg', 'math', 'template', 'script', 'style']);

function one(node: Nodes): string {
  switch (node.type) {
    case 'root':
      return all(node.children);
    case 'element':
      return element(node);
    case 'text':
      return escapeText(node.value);
    default:
      throw UNKNOWN;
  }
}

function all(children: readonly Nodes[]): string {
  let out = '';
  for (const child of children) out += one(child);
  return out;
}

function element(node: Element): string {
  if (OTHER_CONTENT.has(node.tagName)) throw UNKNOWN;
  const content = all(node.children);
  const open = `<${node.tagName}${attributes(node.properties)}>`;
  return content === '' && VOID.has(node.tagName) ? open : `${open}${content}</${node.tagName}>`;
}

/** The attributes, each after a space. */
function attributes(properties: Properties): string {
  let out = '';
  for (const key in properties) {
    const value = properties[key];
    if (value === null || value === undefined) continue;
    const attribute = ATTRIBUTES[key];
    if (!attribute) throw UNKNOWN;
    out += attributeText(attribute, value);
  }
  return out;
}

function attributeText(attribute: Attribute, value: NonNullable<Properties[string]>): string {
  if (attribute.boolean && (typeof value !== 'string' || value === attribute.name || value === '')) {
    return value ? ` ${attribute.name}` : '';
  }
  if (value === false || (typeof value === 'number' && Number.isNaN(value))) return '';
  if (value === true) return ` ${attribute.name}`;
  const text = Array.isArray(value) ? value.join(' ').trim() : String(value);
  return ` ${attribute.name}="${escapeAttribute(text)}"`;
}

/** stringify-entities' hexadecimal references, for `<` and `&` in text. */
function escapeText(value: string): string {
  return /[<&]/.test(value) ? value.replace(/[<&]/g, reference) : value;
}

/** The same for a double-quoted attribute value: NUL, `"`, `&`, `'` and `` ` ``. */
function escapeAttribute(value: string): string {
  return /[\0"&'`]/.test(value) ? value.replace(/[\0"&'`]/g, reference) : value;
}

const reference = (character: string) => `&#x${character.charCodeAt(0).toString(16).toUpperCase()};`;
