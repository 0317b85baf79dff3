import { readFileSync } from 'node:fs';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkFrontmatter from 'remark-frontmatter';
import type { Heading, List, ListItem, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { UserError } from '../commands/context.js';
import type { Temporal } from '../model/time.js';
import { markdownToPrintHtml } from '../render/markdown.js';
import { slugify, splitSections } from '../source/sections.js';

/**
 * The meeting notes: a Markdown file whose level-2 sections become sections of the packet.
 * A heading may end with attributes in braces: `{date=2007-06-18}` dates the section (left out
 * of a packet evaluated before that day, shown in the next packet's "Since our last review"),
 * `{asks}` marks the list of what we ask of the provider, `{promises}` the task list that
 * reviews the previous packet's asks (`- [x] 3. …` met, `- [ ] 3. …` not met).
 */
export interface NotesSection {
  title: string;
  anchor: string;
  html: string;
  /** `date=` attribute, YYYY-MM-DD. */
  date?: string;
  /** Attributes without a value (`asks`, `promises`). */
  flags: string[];
  /** The items of the section's first list: plain text, number (ordered lists, or a leading "3."), checked state of task items. */
  items: { number: number; text: string; lead: string; checked: boolean | null }[];
}

export interface Notes {
  file: string;
  /** The file's level-1 heading, if it opens with one. */
  title?: string;
  /** HTML of the text before the first level-2 heading (without the level-1 heading). */
  introHtml?: string;
  /** The notes' own "Agenda" section, shown in the packet's agenda rather than among the notes. */
  agendaHtml?: string;
  sections: NotesSection[];
  /** Sections dated after the evaluation date: left out of this packet. */
  later: NotesSection[];
}

const ATTRIBUTES = /\s*\{([a-z][a-z0-9-]*(?:=[^\s}]+)?(?:\s+[a-z][a-z0-9-]*(?:=[^\s}]+)?)*)\}\s*$/;

/** "Decisions {date=2007-06-18}" → title "Decisions" and its attributes. */
export function headingAttributes(heading: string): { title: string; date?: string; flags: string[] } {
  const m = ATTRIBUTES.exec(heading);
  if (!m) return { title: heading, flags: [] };
  const result: { title: string; date?: string; flags: string[] } = { title: heading.slice(0, m.index).trim(), flags: [] };
  for (const part of m[1]!.split(/\s+/)) {
    const [key, value] = part.split('=') as [string, string | undefined];
    if (key === 'date' && value !== undefined) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value))
        throw new UserError(`Notes section "${result.title}": date=${value} is not a date`, 'Write it as {date=YYYY-MM-DD}.');
      result.date = value;
    } else if (value === undefined) result.flags.push(key);
  }
  return result;
}

function listItems(nodes: readonly RootContent[]): NotesSection['items'] {
  const list = nodes.find((n): n is List => n.type === 'list');
  if (!list) return [];
  return list.children.map((item: ListItem, i) => {
    const text = toString(item).replace(/\s+/g, ' ').trim();
    const lead = /^(\d+)[.)]\s*/.exec(text);
    const strong = item.children[0]?.type === 'paragraph' ? item.children[0].children.find((c) => c.type === 'strong') : undefined;
    const body = lead ? text.slice(lead[0].length) : text;
    return {
      number: lead ? Number(lead[1]) : (list.start ?? 1) + i,
      text: body,
      lead: strong ? toString(strong).replace(/[.:]\s*$/, '') : body,
      checked: item.checked ?? null,
    };
  });
}

const parser = unified().use(remarkParse).use(remarkFrontmatter).use(remarkGfm);

/** Reads the notes file; sections dated after `asOf` go to `later`. */
export function readNotes(path: string, file: string, asOf?: Temporal.PlainDate): Notes {
  let text: string;
  try {
    text = readFileSync(path, 'utf8')
      .replace(/^\ufeff/, '')
      .replace(/\r\n?/g, '\n');
  } catch (error) {
    throw new UserError(`Cannot read notes file ${file}: ${(error as Error).message}`);
  }
  const tree = parser.parse(text) as Root;
  const notes: Notes = { file, title: undefined, introHtml: undefined, agendaHtml: undefined, sections: [], later: [] };
  const used = new Set<string>();
  for (const { section, nodes } of splitSections(tree, text)) {
    if (section.key === 'preamble') {
      const first = nodes[0];
      let intro = section.markdown;
      if (first?.type === 'heading' && (first as Heading).depth === 1) {
        notes.title = toString(first).trim() || undefined;
        const end = first.position?.end.offset ?? 0;
        const last = nodes[nodes.length - 1]!;
        intro = text.slice(end, last.position?.end.offset ?? end).trim();
      }
      if (intro) notes.introHtml = markdownToPrintHtml(intro, 'internal');
      continue;
    }
    if (section.key === 'agenda' && notes.agendaHtml === undefined) {
      notes.agendaHtml = markdownToPrintHtml(section.markdown, 'internal');
      continue;
    }
    const { title, date, flags } = headingAttributes(section.title);
    let anchor = `notes-${slugify(title)}`;
    for (let n = 2; used.has(anchor); n++) anchor = `notes-${slugify(title)}-${n}`;
    used.add(anchor);
    const entry: NotesSection = {
      title,
      anchor,
      html: section.markdown ? markdownToPrintHtml(section.markdown, 'internal') : '',
      date,
      flags,
      items: listItems(nodes),
    };
    if (date !== undefined && asOf !== undefined && date > asOf.toString()) notes.later.push(entry);
    else notes.sections.push(entry);
  }
  return notes;
}
