import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Handlebars from 'handlebars';
import type { Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import { LetterSettingError } from './setting-error.js';
import { notesFileProblem } from '../kb/config-checks.js';
import { markdownToHtml } from '../render/markdown.js';
import { sanitizedHtml } from '../render/handlebars.js';
import { customerMarkdown, safeMarkdown } from './markdown.js';

/**
 * A letter's own voice: the Markdown file a letter document names in `notes:`. Its level-2
 * sections (next steps, what went wrong in talking to customers, credits, contact, ...) become
 * the letter's own paragraphs, in the order they are written, between the changes and the
 * closing. Headings are for the author: the letter shows the paragraphs only. A level-1
 * heading at the top is the file's title and is not shown; text before the first `##` is a
 * section too. The text is customer text: it goes through the same customer Markdown path and
 * sanitiser as a Customer summary, and the tripwire searches the letter it lands in.
 */
export interface LetterNoteSection {
  /** The heading as written (not shown), e.g. "Next steps"; empty for text before the first heading. */
  title: string;
  html: Handlebars.SafeString;
  markdown: Handlebars.SafeString;
}

const parser = unified().use(remarkParse).use(remarkGfm);

function readText(root: string, notes: string): string {
  const problem = notesFileProblem(notes, root);
  if (problem)
    throw new LetterSettingError(
      problem,
      'notes',
      'Letter notes are a Markdown file inside the knowledge base, e.g. notes: letters/2007-06-email-interruptions.md',
    );
  try {
    return readFileSync(join(root, notes), 'utf8')
      .replace(/^\ufeff/, '')
      .replace(/\r\n?/g, '\n');
  } catch (error) {
    throw new LetterSettingError(
      `cannot read notes file ${notes}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      'notes',
    );
  }
}

/** The sections of a notes text: `[title, markdown]` in source order, empty ones left out. */
export function noteSections(text: string): { title: string; markdown: string }[] {
  const tree = parser.parse(text) as Root;
  const sections: { title: string; markdown: string }[] = [];
  let current = { title: '', start: 0 };
  const close = (end: number) => {
    const markdown = text.slice(current.start, end).trim();
    if (markdown) sections.push({ title: current.title, markdown });
  };
  tree.children.forEach((node, n) => {
    if (node.type !== 'heading' || node.depth > 2) return;
    const start = node.position!.start.offset!;
    const end = node.position!.end.offset!;
    close(start);
    // A level-1 heading opening the file is its title; any other level-1 heading starts a section like `##`.
    current = { title: n === 0 && (node as Heading).depth === 1 ? '' : toString(node).trim(), start: end };
  });
  close(text.length);
  return sections;
}

/** The letter's note sections from `notes` (relative to `root`), rendered for customers. */
export function readLetterNotes(root: string, notes: string): LetterNoteSection[] {
  return letterNotes(readText(root, notes));
}

/** The note sections of a notes text, rendered for customers. */
export function letterNotes(text: string): LetterNoteSection[] {
  return noteSections(text).map(({ title, markdown }, n) => ({
    title,
    // Footnote ids per section: they must not collide with the incidents' summaries.
    html: sanitizedHtml(markdownToHtml(markdown, 'customer', `user-content-note${n + 1}-`)),
    markdown: safeMarkdown(customerMarkdown(markdown)),
  }));
}
