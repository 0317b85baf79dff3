import { readFileSync } from 'node:fs';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import type { Root } from 'mdast';
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
  /** The file's level-1 heading, if any. */
  title?: string;
  /** HTML of text before the first level-2 heading (without the level-1 heading). */
  introHtml?: string;
  sections: NotesSection[];
}

const parser = unified().use(remarkParse).use(remarkGfm);

export function readNotes(path: string, file: string): Notes {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  } catch (error) {
    throw new UserError(`Cannot read notes file ${file}: ${(error as Error).message}`);
  }
  // An optional YAML front-matter block is not part of the notes.
  const body = text.startsWith('---\n') && text.indexOf('\n---', 4) > 0 ? text.slice(text.indexOf('\n---', 4) + 4).replace(/^[^\n]*\n/, '') : text;
  const tree = parser.parse(body) as Root;
  const parts = splitSections(tree, body);
  const notes: Notes = { file, sections: [] };
  const used = new Set<string>();
  for (const { section } of parts) {
    if (section.key === 'preamble') {
      const h1 = /^#\s+(.+?)\s*#*\s*$/m.exec(section.markdown);
      if (h1 && section.markdown.trimStart().startsWith('#') && !section.markdown.trimStart().startsWith('##')) {
        notes.title = h1[1]!.trim();
        const rest = section.markdown.trimStart().replace(/^#\s+.*(\n|$)/, '').trim();
        if (rest) notes.introHtml = markdownToHtml(rest, 'internal');
      } else {
        notes.introHtml = markdownToHtml(section.markdown, 'internal');
      }
      continue;
    }
    let anchor = `notes-${slugify(section.title)}`;
    for (let n = 2; used.has(anchor); n++) anchor = `notes-${slugify(section.title)}-${n}`;
    used.add(anchor);
    notes.sections.push({ title: section.title, anchor, html: section.markdown ? markdownToHtml(section.markdown, 'internal') : '' });
  }
  return notes;
}
