import MarkdownIt from 'markdown-it';
import type { StateBlock, StateCore, StateInline } from 'markdown-it';
import { autolinkLiteralRule, textRule } from './gfm-autolink-literal.js';
import { classifyCharacter, decodeString, normalizeIdentifier } from './gfm-chars.js';

/**
 * A markdown-it parser that reads Markdown the way remark-parse + remark-gfm (micromark) do:
 * CommonMark, plus GFM tables, strikethrough (`~` and `~~`), task list items, autolink literals
 * and footnotes, with micromark's rules where markdown-it's differ. Only the token stream is
 * used (`tokensToHast` turns it into an HTML tree); markdown-it's renderer never runs.
 *
 * - Raw HTML is recognised (`html: true`) so that the converter can drop it, as remark-rehype
 *   does, instead of showing it as text.
 * - Links are neither filtered nor normalised here: the converter normalises URLs as
 *   mdast-util-to-hast does, and the sanitiser decides on protocols.
 */

/** Token `meta` of a footnote definition or call: the normalised label. */
export interface FootnoteMeta {
  id: string;
}
/** Token `meta` of a task list item. */
export interface TaskMeta {
  checked: boolean;
}

interface GfmEnv {
  gfmFootnotes?: Set<string>;
}

const BaseStateInline = new MarkdownIt().inline.State;

/** Emphasis delimiters classified as micromark does: by UTF-16 unit, with `~` as an attention marker. */
class GfmStateInline extends BaseStateInline {
  override scanDelims(start: number, _canSplitWord: boolean): { can_open: boolean; can_close: boolean; length: number } {
    const src = this.src;
    const marker = src.charCodeAt(start);
    let pos = start;
    while (pos < this.posMax && src.charCodeAt(pos) === marker) pos++;
    const previous = start > 0 ? src.charCodeAt(start - 1) : NaN;
    const next = pos < this.posMax ? src.charCodeAt(pos) : NaN;
    const before = classifyCharacter(previous);
    const after = classifyCharacter(next);
    const open = !after || (after === 2 && Boolean(before)) || next === 126;
    const close = !before || (before === 2 && Boolean(after)) || previous === 126;
    return marker === 42
      ? { can_open: open, can_close: close, length: pos - start }
      : { can_open: open && (Boolean(before) || !close), can_close: close && (Boolean(after) || !open), length: pos - start };
  }
}

export function createGfmParser(): MarkdownIt {
  const md = new MarkdownIt('default', { html: true, linkify: false, typographer: false, breaks: false });
  md.validateLink = () => true;
  md.normalizeLink = (url) => url;
  md.normalizeLinkText = (text) => text;
  // Link destinations and titles: escapes and character references decoded as micromark does
  // (an invalid numeric reference is U+FFFD, where markdown-it keeps it as written); a
  // destination ends at the line's end (markdown-it lets `\` escape the line ending). An empty
  // title is no title, in both.
  const parseLinkDestination = md.helpers.parseLinkDestination;
  md.helpers.parseLinkDestination = (str: string, start: number, max: number) => {
    const lineEnd = str.indexOf('\n', start);
    const result = parseLinkDestination(str, start, lineEnd >= 0 && lineEnd < max ? lineEnd : max);
    if (result.ok) {
      const raw = str.slice(start, result.pos);
      result.str = decodeString(raw.startsWith('<') ? raw.slice(1, -1) : raw);
    }
    return result;
  };
  const parseLinkTitle = md.helpers.parseLinkTitle;
  md.helpers.parseLinkTitle = (str: string, start: number, max: number, previous?: ReturnType<typeof parseLinkTitle>) => {
    const result = parseLinkTitle(str, start, max, previous);
    if (result.ok || result.can_continue) {
      const from = previous ? start : start + 1;
      result.str = (previous?.str ?? '') + decodeString(str.slice(from, result.ok ? result.pos - 1 : max));
    }
    return result;
  };
  md.inline.State = GfmStateInline;

  md.core.ruler.disable(['text_join']);
  // markdown-it loses a last line of only spaces when no line ending follows it.
  md.core.ruler.after('normalize', 'final_line_ending', (state) => {
    if (!state.src.endsWith('\n')) state.src += '\n';
    return true;
  });
  md.core.ruler.after('block', 'gfm_task_list_item', taskListItems);
  md.block.ruler.before('reference', 'gfm_footnote_definition', footnoteDefinition, {
    alt: ['paragraph', 'reference', 'blockquote', 'list'],
  });
  wrapRule(md.block.ruler, 'paragraph', endParagraphAtLazyHtml);
  const setextHeading = ruleOf(md.block.ruler, 'lheading').fn;
  const paragraph = ruleOf(md.block.ruler, 'paragraph').fn;
  wrapRule(md.block.ruler, 'reference', (reference) => definitionsThenParagraph(reference, setextHeading, paragraph));
  wrapRule(md.block.ruler, 'list', listOnInterruptingLine);
  wrapRule(md.block.ruler, 'html_block', strictHtmlBlock);
  md.block.ruler.before('table', 'gfm_lazy_html', lazyHtmlEndsParagraph(ruleOf(md.block.ruler, 'html_block').fn), {
    alt: ['paragraph', 'blockquote'],
  });
  const before = ['blockquote', 'list', 'heading', 'fence', 'hr', 'html_block', 'gfm_footnote_definition'].map(
    (name) => ruleOf(md.block.ruler, name).fn,
  );
  wrapRule(md.block.ruler, 'table', (table) => tableAfterOtherBlocks(table, before));
  md.inline.ruler.at('text', textRule);
  md.inline.ruler.before('text', 'gfm_autolink_literal', autolinkLiteralRule);
  md.inline.ruler.before('link', 'gfm_footnote_call', footnoteCall);
  wrapRule(md.inline.ruler, 'backticks', codeSpan);
  wrapRule(md.inline.ruler, 'escape', backslashAlone);
  wrapRule(md.inline.ruler, 'newline', tabsMakeSoftBreak);
  wrapRule(md.inline.ruler, 'image', (image) => (state, silent) => {
    const env = state.env as { gfmInImage?: number };
    env.gfmInImage = (env.gfmInImage ?? 0) + 1;
    try {
      return image(state, silent);
    } finally {
      env.gfmInImage--;
    }
  });
  wrapRule(md.block.ruler, 'code', indentedCodeTail);
  md.inline.ruler.at('strikethrough', strikethrough);
  md.inline.ruler2.disable(['strikethrough', 'emphasis']);
  md.inline.ruler2.at('balance_pairs', pairsRule);
  return md;
}

// ---------------------------------------------------------------------------------------------
// Link reference definitions. In CommonMark (and micromark) definitions are taken from the start
// of a paragraph: lines after them that could not interrupt a paragraph (an HTML block of kind
// 7, an indented line, a lazy line) are still that paragraph. markdown-it starts a fresh block
// after the definition instead.

type BlockRule = (state: StateBlock, startLine: number, endLine: number, silent: boolean) => boolean;

type InlineRule = (state: StateInline, silent: boolean) => boolean;

interface RulerOf<Rule> {
  getRules(chain: string): Rule[];
  at(name: string, fn: Rule, options?: { alt?: string[] }): void;
}

/** One of markdown-it's own rules (its function and the chains it may end a block in). */
function ruleOf<Rule>(ruler: RulerOf<Rule>, name: string): { fn: Rule; alt: string[] } {
  const rule = (ruler as unknown as { __rules__: Array<{ name: string; fn: Rule; alt: string[] }> }).__rules__.find((r) => r.name === name);
  if (!rule) throw new Error(`markdown-it has no rule "${name}"`);
  return rule;
}

/** Replaces one of markdown-it's rules by a wrapper around it, in the same chains. */
function wrapRule<Rule>(ruler: RulerOf<Rule>, name: string, wrapper: (rule: Rule) => Rule): void {
  const { fn, alt } = ruleOf(ruler, name);
  ruler.at(name, wrapper(fn), { alt: [...alt] });
}

/** Would `line` continue a paragraph (markdown-it's test for continuing a definition)? */
function continuesParagraph(state: StateBlock, line: number, endLine: number): boolean {
  if (line >= endLine || state.isEmpty(line)) return false;
  if (state.sCount[line]! - state.blkIndent > 3 || state.sCount[line]! < 0) return true;
  const oldParentType = state.parentType;
  state.parentType = 'paragraph';
  const terminated = state.md.block.ruler.getRules('paragraph').some((rule) => rule(state, line, endLine, true));
  state.parentType = oldParentType;
  return !terminated;
}

const definitionLineEnds = new WeakMap<StateBlock, Set<number>>();

/** Lines right after definitions that were cut short by an interrupting block. */
function definitionsEndAt(state: StateBlock): Set<number> {
  let lines = definitionLineEnds.get(state);
  if (!lines) definitionLineEnds.set(state, (lines = new Set()));
  return lines;
}

function definitionsThenParagraph(reference: BlockRule, setextHeading: BlockRule, paragraph: BlockRule): BlockRule {
  return (state, startLine, endLine, silent) => {
    if (!reference(state, startLine, endLine, silent)) return false;
    if (silent) return true;
    for (;;) {
      if (!continuesParagraph(state, state.line, endLine)) {
        // Something that interrupts a paragraph starts right after the definitions.
        if (state.line < endLine && !state.isEmpty(state.line)) definitionsEndAt(state).add(state.line);
        break;
      }
      if (!reference(state, state.line, endLine, false)) {
        // The rest is paragraph text, however far indented.
        const line = state.line;
        const indent = state.sCount[line]!;
        state.sCount[line] = Math.min(indent, state.blkIndent);
        if (!setextHeading(state, line, endLine, false)) paragraph(state, line, endLine, false);
        state.sCount[line] = indent;
        break;
      }
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Lists on a line that interrupts a paragraph. micromark applies the interruption rules (an
// ordered list must start at 1, an item must not start blank) to every list that opens on that
// line, also inside a block quote or list item opened there; markdown-it only to the first.

/** Does a container opening on `line` interrupt something (a paragraph, definitions, or
 * indented code)? */
function interruptsParagraph(state: StateBlock, line: number): boolean {
  if (definitionLineEnds.get(state)?.has(line)) return true;
  const tokens = state.tokens;
  let k = tokens.length - 1;
  while (k >= 0 && tokens[k]!.nesting === 1 && tokens[k]!.map?.[0] === line) k--;
  // Indented code is still open (across blank lines) when the next block starts.
  if (tokens[k]?.type === 'code_block') return true;
  const close = tokens[k];
  const open = tokens[k - 2];
  return close?.type === 'paragraph_close' && open?.type === 'paragraph_open' && open.map?.[1] === line;
}

function listOnInterruptingLine(list: BlockRule): BlockRule {
  return (state, startLine, endLine, silent) => {
    if (!silent && interruptsParagraph(state, startLine)) {
      const oldParentType = state.parentType;
      state.parentType = 'paragraph';
      const allowed = list(state, startLine, endLine, true);
      state.parentType = oldParentType;
      if (!allowed) return false;
    }
    return list(state, startLine, endLine, silent);
  };
}

// ---------------------------------------------------------------------------------------------
// A lazy line (a paragraph continuation outside its block quote, list item or footnote) that is
// a complete HTML tag alone: micromark ends the paragraph there (an HTML block of kind 7 may
// interrupt one on a lazy line) and the HTML block is inside that container; markdown-it
// continues the paragraph.

const ATTRIBUTE = `(?:\\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\\s*=\\s*(?:[^"'=<>\`\\x00-\\x20]+|'[^']*'|"[^"]*"))?)`;
const COMPLETE_TAG = `(?:<[A-Za-z][A-Za-z0-9\\-]*${ATTRIBUTE}*\\s*\\/?>|<\\/[A-Za-z][A-Za-z0-9\\-]*\\s*>)`;
/** An HTML block of kind 7: a complete tag alone on its line (then only spaces or tabs). */
const COMPLETE_TAG_LINE = new RegExp(`^${COMPLETE_TAG}[ \\t]*$`);
/** What markdown-it takes for one (any Unicode whitespace after the tag). */
const LOOSE_TAG_LINE = new RegExp(`^${COMPLETE_TAG}\\s*$`);

const lazyHtmlLines = new WeakMap<StateBlock, Set<number>>();

function lazyHtmlEndsParagraph(htmlBlock: BlockRule): BlockRule {
  return (state, line, endLine, silent) => lazyHtml(state, line, endLine, silent, htmlBlock);
}

function lazyHtml(state: StateBlock, line: number, endLine: number, silent: boolean, htmlBlock: BlockRule): boolean {
  const marked = lazyHtmlLines.get(state);
  if (!silent) {
    // The HTML block, inside the container the paragraph was in: this line and the next ones
    // of that container, up to a blank line.
    if (!marked?.has(line)) return false;
    let end = line + 1;
    while (end < endLine && !state.isEmpty(end) && state.sCount[end]! >= state.blkIndent) end++;
    const token = state.push('html_block', '', 0);
    token.map = [line, end];
    token.content = state.getLines(line, end, state.blkIndent, true);
    state.line = end;
    return true;
  }
  // Kinds 1 to 6 may interrupt a paragraph anyway; markdown-it's html_block says so.
  if (htmlBlock(state, line, endLine, true)) return false;
  if (!COMPLETE_TAG_LINE.test(state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!))) return false;
  // A table ends at any block start, this one included.
  if ((state.parentType as string) === 'table') return true;
  const inQuote = state.parentType === 'blockquote';
  const inList = state.parentType === 'paragraph' && state.sCount[line]! < state.blkIndent;
  if (!inQuote && !inList) return false;
  if (marked) marked.add(line);
  else lazyHtmlLines.set(state, new Set([line]));
  if (inQuote) return false; // the quote takes the line (as lazy); `endParagraphAtLazyHtml` cuts there
  state.sCount[line] = state.blkIndent; // the line stays in the list item (or footnote)
  return true;
}

/** A paragraph in a block quote ends before a marked lazy HTML line, which stays in the quote. */
function endParagraphAtLazyHtml(paragraph: BlockRule): BlockRule {
  return (state, startLine, endLine, silent) => {
    const marked = lazyHtmlLines.get(state);
    let end = endLine;
    if (marked?.size) {
      for (let line = startLine + 1; line < endLine && !state.isEmpty(line); line++) {
        if (marked.has(line)) {
          end = line;
          state.sCount[line] = state.blkIndent;
          break;
        }
      }
    }
    return paragraph(state, startLine, end, silent);
  };
}

/** A complete tag followed by other Unicode whitespace (a no-break space) is no HTML block. */
function strictHtmlBlock(htmlBlock: BlockRule): BlockRule {
  return (state, line, endLine, silent) => {
    const text = state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!);
    if (!htmlBlock(state, line, endLine, true) && LOOSE_TAG_LINE.test(text) && !COMPLETE_TAG_LINE.test(text)) return false;
    return htmlBlock(state, line, endLine, silent);
  };
}

// ---------------------------------------------------------------------------------------------
// Tables. In micromark a table is tried after everything else that may start on its header
// line (block quote, list item, footnote definition, heading, fence, HTML, rule): markdown-it
// tries it first. Cell content is trimmed of spaces and tabs only (markdown-it: all Unicode
// whitespace).

/** micromark's test for a table head: the cells of the head row (at least one) and of the
 * delimiter row are as many, and the delimiter row has a `|` or a `:`. */
const DELIMITER_ROW = /^(?:\|?[ \t]*:?-+:?[ \t]*(?=\||$))+\|?[ \t]*$/;

function isTableHead(head: string, delimiter: string): boolean {
  // the delimiter row first: it rules out almost every line, and costs one regular expression
  if (!DELIMITER_ROW.test(delimiter) || !/[|:]/.test(delimiter)) return false;
  let size = 0;
  let things = head.charCodeAt(0) === 124 ? 0 : 1;
  let seen = things === 1;
  for (let p = 0; p < head.length; ) {
    const c = head.charCodeAt(p);
    if (c === 32 || c === 9) {
      p++;
      continue;
    }
    things++;
    if (seen) {
      seen = false;
      size++;
    }
    if (c === 124) {
      seen = true;
      p++;
      continue;
    }
    while (p < head.length && !/[| \t]/.test(head[p]!)) p += head[p] === '\\' && /[\\|]/.test(head[p + 1] ?? '') ? 2 : 1;
  }
  if (things <= 1) return false;
  return (delimiter.match(/-+/g) ?? []).length === size;
}

/**
 * Whether `line` starts as `DELIMITER_ROW` must: `|`, `:` or `-` after its indent. Tried at every
 * line of every paragraph (a table may interrupt one), this test saves cutting two lines out of
 * the source for most of them.
 */
function mayBeDelimiterRow(state: StateBlock, line: number): boolean {
  const start = state.bMarks[line]! + state.tShift[line]!;
  const c = start < state.eMarks[line]! ? state.src.charCodeAt(start) : 0;
  return c === 124 || c === 58 || c === 45;
}

function tableAfterOtherBlocks(table: BlockRule, before: BlockRule[]): BlockRule {
  return (state, startLine, endLine, silent) => {
    if (startLine + 1 >= endLine || !mayBeDelimiterRow(state, startLine + 1)) return false;
    const lineText = (line: number) => state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!);
    if (!isTableHead(lineText(startLine), lineText(startLine + 1))) return false;
    // Checked as the block tokenizer would: a table that ends a paragraph wins over a list
    // item that may not interrupt one.
    const oldParentType = state.parentType;
    if (!silent && interruptsParagraph(state, startLine)) state.parentType = 'paragraph';
    const other = before.some((rule) => rule(state, startLine, endLine, true));
    state.parentType = oldParentType;
    if (other) return false;
    const first = state.tokens.length;
    if (!table(state, startLine, endLine, silent)) return false;
    if (silent) return true;
    let cells: string[] = [];
    let cell = 0;
    for (let k = first; k < state.tokens.length; k++) {
      const token = state.tokens[k]!;
      if (token.type === 'tr_open' && token.map) {
        const line = token.map[0];
        cells = splitRow(asciiTrim(state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!)));
        cell = 0;
      } else if (token.type === 'inline') {
        token.content = asciiTrim(cells[cell++] ?? '');
      }
    }
    return true;
  };
}

const asciiTrim = (value: string): string => value.replace(/^[ \t\n]+|[ \t\n]+$/g, '');

/** markdown-it's `escapedSplit` (a `\|` is a pipe in the cell), less the empty outer cells. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let last = 0;
  for (let pos = 0; pos < line.length; pos++) {
    const c = line.charCodeAt(pos);
    if (c === 92 && (line.charCodeAt(pos + 1) === 92 || line.charCodeAt(pos + 1) === 124)) {
      pos++;
    } else if (c === 124) {
      cells.push(line.slice(last, pos));
      last = pos + 1;
    }
  }
  cells.push(line.slice(last));
  if (cells[0] === '') cells.shift();
  if (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
  return cells;
}

// ---------------------------------------------------------------------------------------------
// A backslash before anything but ASCII punctuation or a line ending is a plain backslash, and
// the character after it is left to the other rules (markdown-it takes both as one token, so an
// email address right after a backslash was never seen).

function backslashAlone(escape: InlineRule): InlineRule {
  return (state, silent) => {
    const pos = state.pos;
    if (state.src.charCodeAt(pos) !== 92 || pos + 1 >= state.posMax) return escape(state, silent);
    const next = state.src.charCodeAt(pos + 1);
    const punctuation =
      (next >= 33 && next <= 47) || (next >= 58 && next <= 64) || (next >= 91 && next <= 96) || (next >= 123 && next <= 126);
    if (punctuation || next === 10 || next === 32) return escape(state, silent);
    if (!silent) state.pending += '\\';
    state.pos = pos + 1;
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Indented code: micromark keeps the blank lines after it up to the last one that has more
// than four columns of whitespace (the rest of that whitespace is code); markdown-it drops
// them all.

function indentedCodeTail(code: BlockRule): BlockRule {
  return (state, startLine, endLine, silent) => {
    if (!code(state, startLine, endLine, silent)) return false;
    if (silent) return true;
    const token = state.tokens[state.tokens.length - 1]!;
    let last = -1;
    for (let line = state.line; line < endLine && state.isEmpty(line); line++) {
      if (state.sCount[line]! - state.blkIndent > 4) last = line;
    }
    if (last >= 0 && token.type === 'code_block' && token.map) {
      token.content = `${state.getLines(token.map[0], last + 1, 4 + state.blkIndent, false)}\n`;
      token.map[1] = last + 1;
      state.line = last + 1;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Trailing whitespace with a tab in it makes a soft break, not a hard one (micromark).

function tabsMakeSoftBreak(newline: InlineRule): InlineRule {
  return (state, silent) => {
    if (state.src.charCodeAt(state.pos) !== 10) return false;
    const trailing = /[ \t]*$/.exec(state.pending)![0];
    if (!trailing.includes('\t') || !trailing.endsWith('  ')) return newline(state, silent);
    state.pending = state.pending.slice(0, state.pending.length - trailing.length);
    if (!silent) state.push('softbreak', 'br', 0);
    let pos = state.pos + 1;
    while (pos < state.posMax && (state.src.charCodeAt(pos) === 32 || state.src.charCodeAt(pos) === 9)) pos++;
    state.pos = pos;
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Code spans: one space comes off each end only when the content is not all spaces (markdown-it
// also strips it from three or more spaces).

const backtickScans = new WeakMap<StateInline, number>();

function codeSpan(backticks: InlineRule): InlineRule {
  return (state, silent) => {
    const start = state.pos;
    const count = state.tokens.length;
    // markdown-it remembers, once it has scanned to the end for closing runs, that none is
    // left; that holds only after where that scan began (a link's text is scanned ahead of
    // the text before it is parsed).
    const cache = state as StateInline & { backticksScanned: boolean };
    const scannedFrom = backtickScans.get(state);
    if (cache.backticksScanned && (scannedFrom === undefined || start < scannedFrom)) cache.backticksScanned = false;
    const scanned = cache.backticksScanned;
    const found = backticks(state, silent);
    if (!scanned && cache.backticksScanned) backtickScans.set(state, start);
    if (!found) return false;
    const token = state.tokens[state.tokens.length - 1];
    if (!silent && state.tokens.length > count && token?.type === 'code_inline') {
      const fence = token.markup.length;
      const content = state.src.slice(start + fence, state.pos - fence).replace(/\n/g, ' ');
      token.content =
        content.length > 1 && content.startsWith(' ') && content.endsWith(' ') && /[^ ]/.test(content) ? content.slice(1, -1) : content;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Strikethrough: runs of one or two `~` (three or more are text); an opening and a closing run
// pair when they are the same length (micromark-extension-gfm-strikethrough).

interface TildeDelimiter {
  marker: number;
  length: number;
  token: number;
  end: number;
  open: false;
  close: false;
  gfmOpen: boolean;
  gfmClose: boolean;
}

function strikethrough(state: StateInline, silent: boolean): boolean {
  const start = state.pos;
  if (silent || state.src.charCodeAt(start) !== 126) return false;
  let pos = start;
  while (pos < state.posMax && state.src.charCodeAt(pos) === 126) pos++;
  const size = pos - start;
  const run = state.src.slice(start, pos);
  if (size > 2) {
    state.pending += run;
  } else {
    const before = classifyCharacter(start > 0 ? state.src.charCodeAt(start - 1) : NaN);
    const after = classifyCharacter(pos < state.posMax ? state.src.charCodeAt(pos) : NaN);
    const token = state.push('text', '', 0);
    token.content = run;
    const delimiter: TildeDelimiter = {
      marker: 126,
      length: size,
      token: state.tokens.length - 1,
      end: -1,
      open: false,
      close: false,
      gfmOpen: !after || (after === 2 && Boolean(before)),
      gfmClose: !before || (before === 2 && Boolean(after)),
    };
    state.delimiters.push(delimiter);
  }
  state.pos = pos;
  return true;
}

type Delimiter = StateInline['delimiters'][number];
const isTilde = (d: Delimiter): d is Delimiter & TildeDelimiter => (d as Partial<TildeDelimiter>).gfmOpen !== undefined;

/** A run of `*`, `_` or `~` (one text token per character), as micromark sees it. */
interface Sequence {
  tilde: boolean;
  marker: number;
  /** Token indices of the characters; those in [start, end) are still unused. */
  tokens: number[];
  start: number;
  end: number;
  open: boolean;
  close: boolean;
  dead: boolean;
}

const size = (s: Sequence) => s.end - s.start;

function sequencesOf(delimiters: readonly Delimiter[]): Sequence[] {
  const sequences: Sequence[] = [];
  let last: Sequence | undefined;
  for (const d of delimiters) {
    if (isTilde(d)) {
      last = undefined;
      sequences.push({
        tilde: true,
        marker: 126,
        tokens: [d.token],
        start: 0,
        end: d.length,
        open: d.gfmOpen,
        close: d.gfmClose,
        dead: false,
      });
    } else if (last && last.marker === d.marker && last.tokens[last.tokens.length - 1] === d.token - 1) {
      last.tokens.push(d.token);
      last.end++;
    } else {
      last = { tilde: false, marker: d.marker, tokens: [d.token], start: 0, end: 1, open: d.open, close: d.close, dead: false };
      sequences.push(last);
    }
  }
  return sequences;
}

function markToken(state: StateInline, index: number, type: string, tag: string, nesting: -1 | 0 | 1, markup: string): void {
  const token = state.tokens[index]!;
  token.type = type;
  token.tag = tag;
  token.nesting = nesting;
  token.markup = markup;
  token.content = '';
}

/**
 * Emphasis and strikethrough pairing as micromark resolves them (replacing markdown-it's
 * `balance_pairs`, `strikethrough` and `emphasis`): attention runs pair by micromark's rules
 * (the "multiple of 3" rule on what is left of each run); `~` runs pair with the nearest open
 * run of the same length; a pair's content is resolved on its own (nothing pairs across its
 * edges), strikethrough first. At the top, whichever of the two kinds comes first in the text
 * is resolved first.
 */
class PairResolver {
  constructor(private readonly state: StateInline) {}

  span(sequences: Sequence[], tildesFirst: boolean): void {
    if (tildesFirst) {
      this.tildes(sequences);
      this.attention(sequences.filter((s) => !s.dead));
    } else {
      this.attention(sequences);
      this.tildes(sequences.filter((s) => !s.dead));
    }
  }

  /** What lies between a pair is resolved on its own, then is out of reach. */
  private inside(sequences: Sequence[], open: number, close: number): void {
    const between = sequences.slice(open + 1, close).filter((s) => !s.dead);
    this.span(between, true);
    for (const s of between) s.dead = true;
  }

  private tildes(sequences: Sequence[]): void {
    for (let c = 0; c < sequences.length; c++) {
      const closer = sequences[c]!;
      if (!closer.tilde || closer.dead || !closer.close) continue;
      for (let o = c - 1; o >= 0; o--) {
        const opener = sequences[o]!;
        if (!opener.tilde || opener.dead || !opener.open || size(opener) !== size(closer)) continue;
        const markup = '~'.repeat(size(closer));
        markToken(this.state, opener.tokens[0]!, 's_open', 'del', 1, markup);
        markToken(this.state, closer.tokens[0]!, 's_close', 'del', -1, markup);
        this.inside(sequences, o, c);
        opener.dead = true;
        closer.dead = true;
        break;
      }
    }
  }

  private attention(sequences: Sequence[]): void {
    for (let c = 0; c < sequences.length; c++) {
      const closer = sequences[c]!;
      if (closer.tilde || closer.dead || !closer.close) continue;
      for (let o = c - 1; o >= 0 && size(closer) > 0; o--) {
        const opener = sequences[o]!;
        if (opener.tilde || opener.dead || !opener.open || opener.marker !== closer.marker || size(opener) === 0) continue;
        if ((opener.close || closer.open) && size(closer) % 3 && !((size(opener) + size(closer)) % 3)) continue;
        const use = size(opener) > 1 && size(closer) > 1 ? 2 : 1;
        const tag = use === 2 ? 'strong' : 'em';
        const markup = String.fromCharCode(closer.marker).repeat(use);
        opener.end -= use;
        markToken(this.state, opener.tokens[opener.end]!, `${tag}_open`, tag, 1, markup);
        markToken(this.state, closer.tokens[closer.start + use - 1]!, `${tag}_close`, tag, -1, markup);
        if (use === 2) {
          this.state.tokens[opener.tokens[opener.end + 1]!]!.content = '';
          this.state.tokens[closer.tokens[closer.start]!]!.content = '';
        }
        closer.start += use;
        this.inside(sequences, o, c);
        if (size(opener) === 0) opener.dead = true;
        // Look again from the closer for what is left of it.
        o = c;
      }
      if (size(closer) === 0) closer.dead = true;
    }
  }
}

function pairsRule(state: StateInline): boolean {
  const resolver = new PairResolver(state);
  const lists = [state.delimiters, ...state.tokens_meta.map((meta) => meta?.delimiters ?? [])];
  let first: Delimiter | undefined;
  for (const list of lists) {
    if (list[0] && (!first || list[0].token < first.token)) first = list[0];
  }
  resolver.span(sequencesOf(state.delimiters), first !== undefined && isTilde(first));
  // Inside a link's text (resolved when the link is made), strikethrough goes first.
  for (const meta of state.tokens_meta) {
    if (meta?.delimiters.length) resolver.span(sequencesOf(meta.delimiters), true);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Task list items: `[ ]`, `[x]` or `[X]` opening the first paragraph of a list item, followed by
// whitespace and more content (micromark-extension-gfm-task-list-item). mdast then drops the
// one whitespace character after the check.

const TASK = /^\[([ \t\nxX])\](?:([ \t]*)\n|[ \t]+[^ \t])/;

function taskListItems(state: StateCore): boolean {
  const tokens = state.tokens;
  for (let i = 0; i + 2 < tokens.length; i++) {
    const item = tokens[i]!;
    if (item.type !== 'list_item_open' || tokens[i + 1]!.type !== 'paragraph_open') continue;
    const inline = tokens[i + 2]!;
    const match = TASK.exec(inline.content);
    if (!match) continue;
    item.meta = { checked: match[1] === 'x' || match[1] === 'X' } satisfies TaskMeta;
    const trailing = match[2];
    if (trailing === undefined) {
      inline.content = inline.content.slice(4);
    } else if (trailing.length >= 2 && !trailing.includes('\t')) {
      // Two or more spaces before the line ending: a hard break, kept.
      inline.content = inline.content.slice(3);
    } else {
      // Whitespace before a line ending goes, and so does the line ending (and the next
      // line's indent, as always).
      inline.content = inline.content.slice(match[0].length).replace(/^[ \t]+/, '');
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Footnotes (micromark-extension-gfm-footnote): a definition `[^label]: content` is a container
// whose following lines are indented by four spaces (or blank); a call `[^label]` is one only
// when that label is defined somewhere in the document. Labels: no whitespace, no `[`, at most
// 999 characters, `\[`, `\\`, `\]` escaped; matched case-insensitively.

/** End of a footnote label starting after `[^` at `pos` (the index of `]`), or -1. */
function footnoteLabelEnd(src: string, pos: number, max: number): number {
  let p = pos;
  let size = 0;
  for (;;) {
    if (p >= max || size > 999) return -1;
    const c = src.charCodeAt(p);
    if (c === 93) return p === pos ? -1 : p;
    if (c === 91 || c === 32 || c === 9 || c === 10 || c === 13) return -1;
    size++;
    p++;
    if (c === 92) {
      const next = src.charCodeAt(p);
      if (p < max && (next === 91 || next === 92 || next === 93)) {
        size++;
        p++;
      }
    }
  }
}

function footnoteDefinition(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const start = state.bMarks[startLine]! + state.tShift[startLine]!;
  const max = state.eMarks[startLine]!;
  const src = state.src;
  if (src.charCodeAt(start) !== 91 || src.charCodeAt(start + 1) !== 94) return false;
  const end = footnoteLabelEnd(src, start + 2, max);
  if (end < 0 || src.charCodeAt(end + 1) !== 58) return false;
  if (silent) return true;

  const id = normalizeIdentifier(src.slice(start + 2, end));
  const env = state.env as GfmEnv;
  (env.gfmFootnotes ??= new Set()).add(id);

  const open = state.push('footnote_def_open', '', 1);
  open.meta = { id } satisfies FootnoteMeta;
  open.map = [startLine, startLine];

  // The content starts after the colon and any whitespace, at the container's indent.
  let pos = end + 2;
  while (pos < max && (src.charCodeAt(pos) === 32 || src.charCodeAt(pos) === 9)) pos++;
  const oldBMark = state.bMarks[startLine]!;
  const oldTShift = state.tShift[startLine]!;
  const oldSCount = state.sCount[startLine]!;
  const oldParentType = state.parentType;
  state.blkIndent += 4;
  state.bMarks[startLine] = pos;
  state.tShift[startLine] = 0;
  state.sCount[startLine] = state.blkIndent;
  state.parentType = 'footnote' as typeof state.parentType;

  state.md.block.tokenize(state, startLine, endLine);

  state.parentType = oldParentType;
  state.blkIndent -= 4;
  state.bMarks[startLine] = oldBMark;
  state.tShift[startLine] = oldTShift;
  state.sCount[startLine] = oldSCount;
  open.map[1] = state.line;
  state.push('footnote_def_close', '', -1);
  return true;
}

function footnoteCall(state: StateInline, silent: boolean): boolean {
  const start = state.pos;
  const src = state.src;
  if (src.charCodeAt(start) !== 91 || src.charCodeAt(start + 1) !== 94) return false;
  const defined = (state.env as GfmEnv).gfmFootnotes;
  if (!defined) return false;
  const end = footnoteLabelEnd(src, start + 2, state.posMax);
  if (end < 0) return false;
  const id = normalizeIdentifier(src.slice(start + 2, end));
  if (!defined.has(id)) return false;
  if (!silent) state.push('footnote_ref', '', 0).meta = { id } satisfies FootnoteMeta;
  state.pos = end + 1;
  return true;
}
