import type { Heading, Nodes } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { parseMarkdown } from '../source/remark.js';
import { RECOGNISED_SECTIONS, recognisedKey } from '../source/sections.js';
import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

/**
 * Whether the Markdown may hold a heading: some line is, after container markers (quotes, list
 * items) and spaces, a `#` or a setext underline. Text without one is not parsed (remark is
 * loaded only for Markdown that may have headings).
 */
export const MAY_HAVE_HEADING = /^[ \t>*+\-\d.)]*(?:#|=+[ \t]*$|-[ \t]*$)/m;

/** Headings (any level, also inside quotes and lists) of customer Markdown named like an internal section. */
function internalHeadings(markdown: string): { title: string; line: number; column: number }[] {
  const found: { title: string; line: number; column: number }[] = [];
  const walk = (node: Nodes) => {
    if (node.type === 'heading') {
      const title = toString(node as Heading).trim();
      const key = recognisedKey(title);
      if (key && key !== 'customer-summary') found.push({ title, line: node.position!.start.line, column: node.position!.start.column });
    }
    if ('children' in node) for (const child of node.children) walk(child as Nodes);
  };
  if (MAY_HAVE_HEADING.test(markdown)) walk(parseMarkdown(markdown));
  return found;
}

const message = (title: string) =>
  `heading "${title}" is named like an internal section but sits inside the Customer summary, which customer letters print; make it a \`## ${title}\` section of its own or rename it`;

export const internalHeading: Rule = {
  id: 'internal-heading',
  severity: 'error',
  description: `A heading named like an internal section (${Object.values(RECOGNISED_SECTIONS)
    .filter((n) => n !== RECOGNISED_SECTIONS['customer-summary'])
    .join(', ')}), at any level, inside the Customer summary, which customer letters print.`,
  stage: 'incident',
  checkIncident({ source, report }) {
    for (const section of source.sections) {
      if (section.audience !== 'customer') continue;
      for (const h of internalHeadings(section.markdown)) {
        report(message(h.title), {
          line: section.bodyLine + h.line - 1,
          column: h.line === 1 ? section.bodyColumn + h.column - 1 : h.column,
        });
      }
    }
    // `customer.summary` in the front-matter: its headings are reported at the value.
    const front = (source.data as { customer?: { summary?: unknown } } | undefined)?.customer?.summary;
    if (typeof front === 'string') for (const h of internalHeadings(front)) report(message(h.title), ['customer', 'summary']);
  },
  examples: {
    ok: [
      {
        name: 'customer headings of its own',
        files: kb((t) => `${t}\n## Customer summary\n\n### What you saw\n\nMail was slow.\n\n## Internal notes\n\nLb1 flapped.\n`),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'internal headings at levels 1 and 3 and in a quote',
        files: kb(
          (t) =>
            t +
            '\n## Customer summary\n\nMail was slow.\n\n# Internal notes\n\nLb1 flapped.\n\n### root  cause\n\n> #### Lessons learned\n',
        ),
        expect: [
          `${BASE_PATH}:34:1: error ${message('Internal notes')} [internal-heading]`,
          `${BASE_PATH}:38:1: error ${message('root  cause')} [internal-heading]`,
          `${BASE_PATH}:40:3: error ${message('Lessons learned')} [internal-heading]`,
        ],
      },
      {
        name: 'setext headings, also in a quote (no `#` in the section)',
        files: kb((t) => `${t}\n## Customer summary\n\nMail was slow.\n\nLessons learned\n===============\n\n> Root cause\n> ----\n`),
        expect: [
          `${BASE_PATH}:34:1: error ${message('Lessons learned')} [internal-heading]`,
          `${BASE_PATH}:37:3: error ${message('Root cause')} [internal-heading]`,
        ],
      },
      {
        name: 'in the front-matter customer summary',
        files: kb((t) => t.replace('owners:\n', 'customer:\n  summary: |\n    Mail was slow.\n\n    ## Root cause\nowners:\n')),
        expect: [`${BASE_PATH}:24:12: error ${message('Root cause')} [internal-heading]`],
      },
    ],
  },
};
