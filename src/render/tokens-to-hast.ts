import type { Element, ElementContent, Properties, Root, Text } from 'hast';
import type { Token } from 'markdown-it';
import { normalizeUri } from 'micromark-util-sanitize-uri';
import { findAutolinkLiterals } from './gfm-autolink-literal.js';
import { decodeString } from './gfm-chars.js';
import type { FootnoteMeta, TaskMeta } from './markdown-it-gfm.js';

/**
 * markdown-it tokens (from `createGfmParser`) → the hast tree that remark-rehype
 * (mdast-util-to-hast 13, default options) makes of the same Markdown: the same elements,
 * properties (in the same order), `\n` text between blocks, tight lists unwrapped, URLs
 * normalised, raw HTML dropped, GFM footnotes collected in a closing section. Each function
 * below names the mdast-util-to-hast handler it mirrors.
 */

const text = (value: string): Text => ({ type: 'text', value });
const element = (tagName: string, properties: Properties = {}, children: ElementContent[] = []): Element => ({
  type: 'element',
  tagName,
  properties,
  children,
});
const isParagraph = (node: ElementContent | undefined): node is Element => node?.type === 'element' && node.tagName === 'p';

/** `state.wrap`: `\n` between nodes, and around them when loose. */
function wrap(nodes: ElementContent[], loose: boolean): ElementContent[] {
  const result: ElementContent[] = [];
  if (loose) result.push(text('\n'));
  nodes.forEach((node, index) => {
    if (index) result.push(text('\n'));
    result.push(node);
  });
  if (loose && nodes.length > 0) result.push(text('\n'));
  return result;
}

/** trim-lines: spaces and tabs around line endings go. */
function trimLines(value: string): string {
  if (!value.includes('\n') && !value.includes('\r')) return value;
  return value.replace(/[ \t]*(\r?\n|\r)[ \t]*/g, '$1');
}

const trimSpaceStart = (value: string): string => value.replace(/^[ \t]+/, '');

/** What `state.all` does to the node after a hard break. */
function trimHead(node: ElementContent): void {
  if (node.type === 'text') node.value = trimSpaceStart(node.value);
  else if (node.type === 'element' && node.children[0]?.type === 'text') node.children[0].value = trimSpaceStart(node.children[0].value);
}

/** mdast `code.lang`: the info string's first word, with escapes and references decoded. */
function fenceLanguage(info: string): string | undefined {
  const word = /^[ \t]*([^ \t]*)/.exec(info)![1]!;
  return word ? decodeString(word) : undefined;
}

/** mdast-util-to-string of an image's label, which becomes its `alt`. */
function altText(tokens: readonly Token[]): string {
  let alt = '';
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
      case 'text_special':
      case 'code_inline':
      case 'html_inline':
        alt += token.content;
        break;
      case 'softbreak':
        alt += '\n';
        break;
      case 'image':
        alt += altText(token.children ?? []);
        break;
      default:
        break;
    }
  }
  return alt;
}

interface Frame {
  element?: Element;
  children: ElementContent[];
  /** Inside a link: no autolink literals. */
  link: boolean;
  /** Follows a hard break: its first text loses leading whitespace when it closes. */
  afterBreak: boolean;
}

const PHRASING: Record<string, string> = { em_open: 'em', strong_open: 'strong', s_open: 'del' };

/** Deepest nesting of emphasis, strong, delete and links kept as elements (remark overflowed
 * the stack at about 1,900; block containers stop at markdown-it's 100 levels). */
export const MAX_PHRASING_DEPTH = 500;

class Converter {
  private index = 0;
  private readonly tokens: readonly Token[];
  private readonly tightParagraphs = new WeakSet<Element>();
  /** First definition of each footnote: index of its opening token. */
  private readonly footnoteById = new Map<string, number>();
  private readonly footnoteOrder: string[] = [];
  private readonly footnoteCounts = new Map<string, number>();

  /** Prefix of footnote ids: remark-rehype's `user-content-`, or one per document part sharing a page. */
  private readonly idPrefix: string;
  /** Id of the footnotes' heading (remark-rehype's `footnote-label`, prefixed when a prefix is chosen). */
  private readonly labelId: string;

  constructor(tokens: readonly Token[], idPrefix?: string) {
    this.tokens = tokens;
    this.idPrefix = idPrefix ?? 'user-content-';
    this.labelId = idPrefix === undefined ? 'footnote-label' : `${idPrefix}footnote-label`;
    tokens.forEach((token, index) => {
      if (token.type !== 'footnote_def_open') return;
      const id = footnoteKey(token);
      if (!this.footnoteById.has(id)) this.footnoteById.set(id, index);
    });
  }

  root(): Root {
    const children = wrap(this.blocks(), false);
    const footer = this.footer();
    if (footer) children.push(text('\n'), footer);
    return { type: 'root', children };
  }

  /** Block children up to the closing token of the current container (`state.all`). */
  private blocks(): ElementContent[] {
    const tokens = this.tokens;
    const out: ElementContent[] = [];
    while (this.index < tokens.length) {
      const token = tokens[this.index]!;
      if (token.nesting === -1) break;
      switch (token.type) {
        case 'paragraph_open': {
          const paragraph = element('p', {}, this.inline(tokens[this.index + 1]!));
          if (token.hidden) this.tightParagraphs.add(paragraph);
          out.push(paragraph);
          this.index += 3;
          break;
        }
        case 'heading_open':
          out.push(element(token.tag, {}, this.inline(tokens[this.index + 1]!)));
          this.index += 3;
          break;
        case 'blockquote_open': {
          this.index++;
          const children = this.blocks();
          this.index++;
          out.push(element('blockquote', {}, wrap(children, true)));
          break;
        }
        case 'bullet_list_open':
        case 'ordered_list_open':
          out.push(this.list(token));
          break;
        case 'code_block':
        case 'fence':
          out.push(this.code(token));
          this.index++;
          break;
        case 'hr':
          out.push(element('hr'));
          this.index++;
          break;
        case 'table_open':
          out.push(this.table());
          break;
        case 'footnote_def_open':
          // Rendered in the footer, as mdast-util-to-hast does.
          this.skipContainer();
          break;
        default:
          // html_block: remark-rehype drops raw HTML.
          if (token.nesting === 1) this.skipContainer();
          else this.index++;
      }
    }
    return out;
  }

  private skipContainer(): void {
    let depth = 0;
    do {
      depth += this.tokens[this.index]!.nesting;
      this.index++;
    } while (depth > 0 && this.index < this.tokens.length);
  }

  /** Handlers `list` and `listItem`. */
  private list(open: Token): Element {
    const tokens = this.tokens;
    this.index++;
    const items: Array<{ results: ElementContent[]; task: TaskMeta | undefined }> = [];
    while (tokens[this.index]?.type === 'list_item_open') {
      const task = tokens[this.index]!.meta as TaskMeta | undefined;
      this.index++;
      const results = this.blocks();
      this.index++;
      items.push({ results, task: task ?? undefined });
    }
    this.index++;

    // markdown-it marks the paragraphs of tight lists hidden; without direct paragraphs
    // looseness changes nothing.
    let loose = false;
    for (const item of items) {
      const paragraph = item.results.find(isParagraph);
      if (paragraph) {
        loose = !this.tightParagraphs.has(paragraph);
        break;
      }
    }

    const properties: Properties = {};
    const start = open.type === 'ordered_list_open' ? open.attrGet('start') : null;
    if (start !== null) properties.start = Number(start);
    const lis = items.map(({ results, task }) => listItem(results, task, loose));
    if (lis.some((li) => (li.properties.className as string[] | undefined)?.includes('task-list-item'))) {
      properties.className = ['contains-task-list'];
    }
    return element(open.type === 'ordered_list_open' ? 'ol' : 'ul', properties, wrap(lis, true));
  }

  /** Handler `code`. */
  private code(token: Token): Element {
    let value = token.content;
    if (value.endsWith('\n')) value = value.slice(0, -1);
    const properties: Properties = {};
    const language = token.type === 'fence' ? fenceLanguage(token.info) : undefined;
    if (language) properties.className = [`language-${language.split(/\s+/)[0]}`];
    return element('pre', {}, [element('code', properties, [text(value ? `${value}\n` : '')])]);
  }

  /** Handlers `table`, `tableRow`, `tableCell`. */
  private table(): Element {
    const tokens = this.tokens;
    const sections: Element[] = [];
    this.index++;
    while (tokens[this.index] && tokens[this.index]!.type !== 'table_close') {
      const section = tokens[this.index]!;
      this.index++;
      const rows: Element[] = [];
      while (tokens[this.index]?.type === 'tr_open') {
        this.index++;
        const cells: Element[] = [];
        while (tokens[this.index]?.type === 'th_open' || tokens[this.index]?.type === 'td_open') {
          const cell = tokens[this.index]!;
          const style = cell.attrGet('style');
          const properties: Properties = style ? { align: style.replace('text-align:', '') } : {};
          cells.push(element(cell.type === 'th_open' ? 'th' : 'td', properties, this.inline(tokens[this.index + 1]!, true)));
          this.index += 3;
        }
        this.index++;
        rows.push(element('tr', {}, wrap(cells, true)));
      }
      this.index++;
      sections.push(element(section.type === 'thead_open' ? 'thead' : 'tbody', {}, wrap(rows, true)));
    }
    this.index++;
    return element('table', {}, wrap(sections, true));
  }

  /** Phrasing content of one `inline` token. */
  private inline(token: Token, inTable = false): ElementContent[] {
    const root: Frame = { children: [], link: false, afterBreak: false };
    const stack: Frame[] = [root];
    let frame = root;
    let run = '';
    let afterBreak = false;
    const takeBreak = () => {
      const was = afterBreak;
      afterBreak = false;
      return was;
    };
    // One mdast text node: autolink literals found in it (outside links), then trim-lines.
    const flush = () => {
      if (!run) return;
      const trim = takeBreak();
      const pieces = frame.link ? [run] : findAutolinkLiterals(run);
      run = '';
      pieces.forEach((piece, index) => {
        const node =
          typeof piece === 'string' ? text(trimLines(piece)) : element('a', { href: normalizeUri(piece.url) }, [text(piece.text)]);
        if (index === 0 && trim) trimHead(node);
        frame.children.push(node);
      });
    };
    const push = (node: ElementContent) => {
      flush();
      if (takeBreak()) trimHead(node);
      frame.children.push(node);
    };

    for (const child of token.children ?? []) {
      switch (child.type) {
        case 'text':
        case 'text_special':
          run += child.content;
          break;
        case 'softbreak':
          run += '\n';
          break;
        case 'hardbreak':
          flush();
          takeBreak();
          frame.children.push(element('br'), text('\n'));
          afterBreak = true;
          break;
        case 'html_inline':
          // Dropped, but it still separates the text around it into two mdast text nodes.
          flush();
          takeBreak();
          break;
        case 'code_inline': {
          let value = child.content.replace(/\r?\n|\r/g, ' ');
          // mdast-util-gfm-table: an escaped pipe in code in a table is a pipe.
          if (inTable) value = value.replace(/\\([\\|])/g, (all, c: string) => (c === '|' ? c : all));
          push(element('code', {}, [text(value)]));
          break;
        }
        case 'image': {
          const properties: Properties = { src: normalizeUri(child.attrGet('src') ?? ''), alt: altText(child.children ?? []) };
          const title = child.attrGet('title');
          if (title !== null) properties.title = title;
          push(element('img', properties));
          break;
        }
        case 'footnote_ref':
          push(this.footnoteReference(child));
          break;
        case 'link_open':
        case 'em_open':
        case 'strong_open':
        case 's_open': {
          flush();
          let node: Element;
          if (child.type === 'link_open') {
            const properties: Properties = { href: normalizeUri(child.attrGet('href') ?? '') };
            const title = child.attrGet('title');
            if (title !== null) properties.title = title;
            node = element('a', properties);
          } else {
            node = element(PHRASING[child.type]!);
          }
          const link = frame.link || child.type === 'link_open';
          // Past MAX_PHRASING_DEPTH an element is left out (its content kept), so that the
          // sanitiser and serialiser, which recurse, cannot overflow the stack.
          frame =
            stack.length > MAX_PHRASING_DEPTH
              ? { children: frame.children, link, afterBreak: takeBreak() }
              : { element: node, children: node.children, link, afterBreak: takeBreak() };
          stack.push(frame);
          break;
        }
        case 'link_close':
        case 'em_close':
        case 'strong_close':
        case 's_close':
          flush();
          // A break right before the close has no next sibling to trim.
          afterBreak = false;
          if (stack.length > 1) close(stack);
          frame = stack[stack.length - 1]!;
          break;
        default:
          break;
      }
    }
    flush();
    while (stack.length > 1) close(stack);
    return root.children;
  }

  /** Handler `footnoteReference`. */
  private footnoteReference(token: Token): Element {
    const id = footnoteKey(token);
    const safeId = normalizeUri(id.toLowerCase());
    let counter: number;
    let reuse = this.footnoteCounts.get(id);
    if (reuse === undefined) {
      reuse = 0;
      this.footnoteOrder.push(id);
      counter = this.footnoteOrder.length;
    } else {
      counter = this.footnoteOrder.indexOf(id) + 1;
    }
    reuse += 1;
    this.footnoteCounts.set(id, reuse);
    const link = element(
      'a',
      {
        href: `#${this.idPrefix}fn-${safeId}`,
        id: `${this.idPrefix}fnref-${safeId}${reuse > 1 ? `-${reuse}` : ''}`,
        dataFootnoteRef: true,
        ariaDescribedBy: [this.labelId],
      },
      [text(String(counter))],
    );
    return element('sup', {}, [link]);
  }

  /** mdast-util-to-hast `footer`: the referenced footnotes, in order of first reference. */
  private footer(): Element | undefined {
    const contents: ElementContent[][] = [];
    for (let index = 0; index < this.footnoteOrder.length; index++) {
      const at = this.footnoteById.get(this.footnoteOrder[index]!);
      if (at !== undefined) contents[index] = this.blocksAt(at + 1);
    }
    const listItems: Element[] = [];
    this.footnoteOrder.forEach((id, referenceIndex) => {
      const content = contents[referenceIndex];
      if (!content) return;
      const safeId = normalizeUri(id.toLowerCase());
      const backReferences: ElementContent[] = [];
      const counts = this.footnoteCounts.get(id) ?? 0;
      for (let rereference = 1; rereference <= counts; rereference++) {
        if (backReferences.length > 0) backReferences.push(text(' '));
        const children: ElementContent[] = [text('↩')];
        if (rereference > 1) children.push(element('sup', {}, [text(String(rereference))]));
        backReferences.push(
          element(
            'a',
            {
              href: `#${this.idPrefix}fnref-${safeId}${rereference > 1 ? `-${rereference}` : ''}`,
              dataFootnoteBackref: '',
              ariaLabel: `Back to reference ${referenceIndex + 1}${rereference > 1 ? `-${rereference}` : ''}`,
              className: ['data-footnote-backref'],
            },
            children,
          ),
        );
      }
      const tail = content[content.length - 1];
      if (isParagraph(tail)) {
        const tailTail = tail.children[tail.children.length - 1];
        if (tailTail?.type === 'text') tailTail.value += ' ';
        else tail.children.push(text(' '));
        tail.children.push(...backReferences);
      } else {
        content.push(...backReferences);
      }
      listItems.push(element('li', { id: `${this.idPrefix}fn-${safeId}` }, wrap(content, true)));
    });
    if (listItems.length === 0) return undefined;
    return element('section', { dataFootnotes: true, className: ['footnotes'] }, [
      element('h2', { className: ['sr-only'], id: this.labelId }, [text('Footnotes')]),
      text('\n'),
      element('ol', {}, wrap(listItems, true)),
      text('\n'),
    ]);
  }

  private blocksAt(index: number): ElementContent[] {
    const saved = this.index;
    this.index = index;
    const result = this.blocks();
    this.index = saved;
    return result;
  }
}

function close(stack: Frame[]): void {
  const closing = stack.pop()!;
  const node = closing.element;
  if (!node) return;
  if (closing.afterBreak) trimHead(node);
  stack[stack.length - 1]!.children.push(node);
}

/** mdast identifiers are lower case; mdast-util-to-hast keys them upper case. */
function footnoteKey(token: Token): string {
  return (token.meta as FootnoteMeta).id.toLowerCase().toUpperCase();
}

/** Handler `listItem`. */
function listItem(results: ElementContent[], task: TaskMeta | undefined, loose: boolean): Element {
  const properties: Properties = {};
  if (task) {
    let paragraph = results[0];
    if (!isParagraph(paragraph)) {
      paragraph = element('p');
      results.unshift(paragraph);
    }
    if (paragraph.children.length > 0) paragraph.children.unshift(text(' '));
    paragraph.children.unshift(element('input', { type: 'checkbox', checked: task.checked, disabled: true }));
    properties.className = ['task-list-item'];
  }
  const children: ElementContent[] = [];
  results.forEach((child, index) => {
    if (loose || index !== 0 || !isParagraph(child)) children.push(text('\n'));
    if (isParagraph(child) && !loose) children.push(...child.children);
    else children.push(child);
  });
  const tail = results[results.length - 1];
  if (tail && (loose || !isParagraph(tail))) children.push(text('\n'));
  return element('li', properties, children);
}

export function tokensToHast(tokens: readonly Token[], idPrefix?: string): Root {
  return new Converter(tokens, idPrefix).root();
}
