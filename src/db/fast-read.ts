import type { List, RootContent } from 'mdast';
import { digestOf, readSource, type ReadOptions, type SourceFile } from '../source/read.js';
import { readYaml } from '../source/yaml.js';
import { RECOGNISED_SECTIONS, slugify, type Section } from '../source/sections.js';
import { readBodyTimeline } from '../source/body-timeline.js';
import { parseMarkdown } from '../source/remark.js';
import { BODY_UNPRINTABLE } from '../source/unprintable.js';

/**
 * A faster reader for the common, plain incident file, with exactly the result of
 * `readSource`. remark-parse is the cold-build bottleneck, and only the Timeline section's
 * list needs a Markdown tree: the other sections are kept as source text split at level-2
 * headings. Whenever a file has anything that could make that split differ from remark's
 * (setext underlines, HTML blocks, CRLF, a BOM, link reference definitions, text before the
 * first section, headings with markup), it is read by `readSource` instead.
 * `test/db-fast-read.test.ts` checks both give the same result on every example file.
 */
const FRONTMATTER = /^---\n([\s\S]*?)\n---(?:\n|$)/;
const PLAIN_HEADING = /^## ([A-Za-z0-9][A-Za-z0-9 ,.'()/-]*[A-Za-z0-9.)])[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** Lines that could change how remark splits the body. */
const RISKY = /^ {0,3}(?:=+|-+)[ \t]*$|^ {0,3}<|^ {0,3}\[[^\]]*\]:|^ {0,3}##(?:[ \t]|$)/;

const RECOGNISED = new Map(Object.entries(RECOGNISED_SECTIONS).map(([key, name]) => [name.toLowerCase(), key]));

export function readSourceFast(file: string, bytes: Uint8Array, options: ReadOptions = {}): SourceFile {
  const fast = tryFast(file, bytes, options);
  return fast ?? readSource(file, bytes, options);
}

/** The fast read, or undefined when the file needs the full reader. */
export function tryFast(file: string, bytes: Uint8Array, options: ReadOptions): SourceFile | undefined {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  if (bytes.length === 0 || bytes.length > maxBytes) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  if (BODY_UNPRINTABLE.test(text) || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined; // reported by `readSource`
  const match = FRONTMATTER.exec(text);
  if (!match) return undefined;

  // Split the body at level-2 ATX headings outside fenced code.
  const bodyStart = match[0].length;
  const lines = text.slice(bodyStart).split('\n');
  let line = match[0].split('\n').length - (match[0].endsWith('\n') ? 1 : 0); // lines before the body
  let offset = bodyStart;
  let fence: string | undefined;
  const headings: { title: string; line: number; start: number; end: number }[] = [];
  let beforeFirst = '';
  for (const raw of lines) {
    line++;
    const start = offset;
    offset += raw.length + 1;
    if (fence) {
      const close = FENCE.exec(raw);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length && raw.trim() === close[1]) fence = undefined;
      continue;
    }
    const open = FENCE.exec(raw);
    if (open) {
      if (open[1]![0] === '`' && raw.slice(raw.indexOf(open[1]!) + open[1]!.length).includes('`')) return undefined;
      fence = open[1];
      continue;
    }
    const heading = PLAIN_HEADING.exec(raw);
    if (heading) {
      headings.push({ title: heading[1]!.trim(), line, start, end: Math.min(offset, text.length) });
      continue;
    }
    if (RISKY.test(raw)) return undefined;
    if (headings.length === 0) beforeFirst += raw;
  }
  if (fence) return undefined; // an unclosed fence runs to the end: leave it to remark
  if (beforeFirst.trim() !== '') return undefined; // a preamble: leave it to remark

  const problems: SourceFile['problems'] = [];
  const yaml = readYaml(file, match[1]!, 1);
  problems.push(...yaml.problems);
  if ((yaml.data === undefined || yaml.data === null) && yaml.problems.length === 0) {
    problems.push({ file, line: 1, column: 1, severity: 'error', ruleId: 'frontmatter', message: 'front-matter is empty' });
    yaml.data = undefined;
  }
  const source: SourceFile = {
    file,
    digest: digestOf(bytes),
    data: yaml.data,
    positions: yaml.positions,
    frontmatterLine: 1,
    sections: [],
    bodyTimeline: [],
    unreadTimeline: [],
    problems,
  };
  const sections: Section[] = [];
  headings.forEach((h, i) => {
    const next = headings[i + 1]?.start ?? text.length;
    const key = RECOGNISED.get(h.title.toLowerCase().replace(/\s+/g, ' '));
    const raw = text.slice(h.end, next);
    const markdown = raw.trim();
    // The body starts after the blank lines and indentation that `trim` removed.
    const lead = raw.slice(0, raw.length - raw.trimStart().length);
    const blankLines = lead.split('\n').length - 1;
    sections.push({
      title: h.title,
      key: key ?? slugify(h.title),
      recognised: key !== undefined,
      audience: key === 'customer-summary' ? 'customer' : 'internal',
      markdown,
      line: h.line,
      column: 1,
      bodyLine: markdown ? h.line + 1 + blankLines : h.line,
      bodyColumn: markdown ? lead.length - lead.lastIndexOf('\n') : 1,
    });
    if (key === 'timeline') {
      const body = text.slice(h.end, next);
      // A plain one-line-per-entry list needs no parser; anything else is parsed by remark,
      // only this section, padded so lines keep their numbers.
      const nodes = (text.includes(']:') ? undefined : plainList(body, h.line + 1)) ?? parseMarkdown('\n'.repeat(h.line) + body).children;
      const { items, unread } = readBodyTimeline(nodes);
      source.bodyTimeline = items;
      source.unreadTimeline = unread;
    }
  });
  // A second Timeline section: remark's reader uses the first; keep identical by deferring.
  if (sections.filter((s) => s.key === 'timeline').length > 1) return undefined;
  source.sections = sections;
  return source;
}

/**
 * A list item's text that Markdown would leave exactly as written: no inline markup, escapes,
 * entities or links (the caller makes sure the file has no link reference definitions).
 */
const PLAIN_ITEM = /^- ([A-Za-z0-9][^`*_<>&\\!~|\t]*)$/;
const NESTED_MARKER = /^\d{1,9}[.)](?:\s|$)/;

/**
 * The mdast of a section that is only a bullet list of one-line plain items (blank lines
 * allowed), as remark would build it for `readBodyTimeline`; undefined for anything else.
 */
export function plainList(body: string, firstLine: number): RootContent[] | undefined {
  const children: List['children'] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const m = PLAIN_ITEM.exec(raw);
    // Brackets stay text when nothing could make them a link: no `](` here, no definitions anywhere.
    if (!m || NESTED_MARKER.test(m[1]!) || raw.endsWith('  ') || m[1]!.includes('](')) return undefined;
    const line = firstLine + i;
    const value = m[1]!.trimEnd();
    const position = { start: { line, column: 1 }, end: { line, column: raw.length + 1 } };
    children.push({
      type: 'listItem',
      spread: false,
      checked: null,
      position,
      children: [{ type: 'paragraph', position: { start: { line, column: 3 }, end: position.end }, children: [{ type: 'text', value }] }],
    });
  }
  if (children.length === 0) return undefined;
  return [{ type: 'list', ordered: false, start: null, spread: false, children }];
}
