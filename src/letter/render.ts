import type { Config } from '../schema/config.js';
import { UserError } from '../commands/context.js';
import { templatePath } from '../paths.js';
import { createEnvironment, sanitizedHtml, type TemplateEnvironment } from '../render/handlebars.js';
import { markdownToHtml } from '../render/markdown.js';
import { printPdf, type PdfOptions } from '../render/pdf.js';
import { customerMarkdown, markdownText, safeMarkdown } from './markdown.js';
import { emailReady } from './email-markdown.js';
import type { CustomerLetter } from './model.js';

/**
 * Renders a customer letter from its view model only, in the customer Handlebars
 * environment (strict, no prototype access, only the helpers below). Templates live in
 * `templates/letter/` and may be overridden by the knowledge base's own `templates/letter/`.
 */
export const LETTER_TEMPLATES = {
  html: 'letter/letter.html.hbs',
  markdown: 'letter/letter.md.hbs',
  style: 'letter/letter.css',
  opening: 'letter/opening.md.hbs',
  closing: 'letter/closing.md.hbs',
  contact: 'letter/contact.md.hbs',
  notesHtml: 'letter/notes.html.hbs',
  notesMarkdown: 'letter/notes.md.hbs',
  footer: 'letter/pdf-footer.html.hbs',
  followUpHtml: 'letter/follow-up.html.hbs',
  followUpMarkdown: 'letter/follow-up.md.hbs',
  followUpOpening: 'letter/follow-up-opening.md.hbs',
} as const;

function customerEnvironment(root: string): TemplateEnvironment {
  const env = createEnvironment(
    'customer',
    {
      /** Plain text for the Markdown letter: every Markdown and HTML character escaped. */
      md: (value: unknown) => safeMarkdown(markdownText(typeof value === 'string' || typeof value === 'number' ? String(value) : '')),
    },
    { hint: LETTER_HINT },
  );
  env.registerPartialFile(root, 'letterStyle', LETTER_TEMPLATES.style);
  env.registerPartialFile(root, 'notesHtml', LETTER_TEMPLATES.notesHtml);
  env.registerPartialFile(root, 'notesMarkdown', LETTER_TEMPLATES.notesMarkdown);
  return env;
}

const LETTER_HINT = 'Letter templates see only the customer view model; the fields are listed in docs/letters.md.';

function guarded<T>(name: string, root: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`letter template ${templatePath(root, name)}: ${(error as Error).message.split('\n')[0]}`, LETTER_HINT);
  }
}

export interface RenderedLetter {
  html: string;
  markdown: string;
  /** Chromium footer for the PDF (page numbers). */
  footer: string;
  /** The opening and closing as rendered (Markdown), generated from the view model alone. */
  prose: string[];
}

export interface LetterRenderer {
  render(letter: CustomerLetter): RenderedLetter;
}

/** Compiles the letter templates of a knowledge base once; `render` then works from the view model alone. */
export function letterRenderer(root: string): LetterRenderer {
  const env = guarded(LETTER_TEMPLATES.style, root, () => customerEnvironment(root));
  /** A template whose mistakes (syntax, a field the model does not have) name the file instead of crashing. */
  const load = (name: string) => {
    const template = guarded(name, root, () => env.load(root, name));
    return (data: object) => guarded(name, root, () => template(data));
  };
  const templates = {
    html: load(LETTER_TEMPLATES.html),
    markdown: load(LETTER_TEMPLATES.markdown),
    opening: load(LETTER_TEMPLATES.opening),
    closing: load(LETTER_TEMPLATES.closing),
    contact: load(LETTER_TEMPLATES.contact),
    footer: load(LETTER_TEMPLATES.footer),
    followUpHtml: load(LETTER_TEMPLATES.followUpHtml),
    followUpMarkdown: load(LETTER_TEMPLATES.followUpMarkdown),
    followUpOpening: load(LETTER_TEMPLATES.followUpOpening),
  };
  return {
    render(letter) {
      const prose = (template: (data: object) => string) => {
        const markdown = template(letter);
        return { html: sanitizedHtml(markdownToHtml(markdown, 'customer')), markdown: safeMarkdown(customerMarkdown(markdown)) };
      };
      const opening = prose(letter.follow_up ? templates.followUpOpening : templates.opening);
      const closing = prose(templates.closing);
      const contactLine = prose(templates.contact);
      const data = { ...letter, opening, closing, contact_line: contactLine };
      const markdown = (letter.follow_up ? templates.followUpMarkdown : templates.markdown)(data);
      return {
        prose: [opening.markdown.toString(), closing.markdown.toString(), contactLine.markdown.toString()],
        html: (letter.follow_up ? templates.followUpHtml : templates.html)(data),
        markdown: emailReady(markdown),
        footer: templates.footer(letter),
      };
    },
  };
}

/** HTML and Markdown of a letter (and the PDF footer), from the view model alone. */
export function renderLetter(root: string, letter: CustomerLetter): RenderedLetter {
  return letterRenderer(root).render(letter);
}

export function letterPdfOptions(letter: CustomerLetter, config: Config, footer: string): PdfOptions {
  return {
    paper: config.paper,
    title: `${letter.organization}: ${letter.subject}`,
    author: letter.signer ? `${letter.signer.name}, ${letter.organization}` : letter.organization,
    subject: `Letter to our ${letter.audience}, ${letter.date}`,
    date: new Date(`${letter.date_iso}T12:00:00Z`),
    headerTemplate: '<span></span>',
    footerTemplate: footer,
    margin: { top: '0.85in', right: '1in', bottom: '0.9in', left: '1in' },
  };
}

/** The letter as PDF, printed offline by the system Chromium. */
export function printLetterPdf(rendered: RenderedLetter, letter: CustomerLetter, config: Config): Promise<Uint8Array> {
  return printPdf(rendered.html, letterPdfOptions(letter, config, rendered.footer));
}
