import { readFileSync } from 'node:fs';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkFrontmatter from 'remark-frontmatter';
import type { Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { UserError } from '../commands/context.js';
import { markdownToHtml } from '../render/markdown.js';
import { slugify, splitSections } from '../source/sections.js';

/** The meeting notes: a Markdown file whose level-2 sections become sections of the packet. */
export interface NotesSection {
  title: string;
  anchor: string;
  html: string;
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
}

const parser = unified().use(remarkParse).use(remarkFrontmatter).use(remarkGfm);

export function readNotes(path: string, file: string): Notes {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  } catch (error) {
    throw new UserError(`Cannot read notes file ${file}: ${(error as Error).message}`);
  }
  const tree = parser.parse(text) as Root;
  const notes: Notes = { file, title: undefined, introHtml: undefined, agendaHtml: undefined, sections: [] };
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
      if (intro) notes.introHtml = markdownToHtml(intro, 'internal');
      continue;
    }
    if (section.key === 'agenda' && notes.agendaHtml === undefined) {
      notes.agendaHtml = markdownToHtml(section.markdown, 'internal');
      continue;
    }
    let anchor = `notes-${slugify(section.title)}`;
    for (let n = 2; used.has(anchor); n++) anchor = `notes-${slugify(section.title)}-${n}`;
    used.add(anchor);
    notes.sections.push({ title: section.title, anchor, html: section.markdown ? markdownToHtml(section.markdown, 'internal') : '' });
  }
  return notes;
}
