import fc from 'fast-check';
import type { Nodes } from 'mdast';
import { describe, expect, it } from 'vitest';
import { MAY_HAVE_HEADING } from '../src/rules/internal-heading.js';
import { parseMarkdown } from '../src/source/remark.js';

/** `internal-heading` parses only Markdown that may hold a heading: text it skips has none. */
const hasHeading = (node: Nodes): boolean =>
  node.type === 'heading' || ('children' in node && node.children.some((child) => hasHeading(child as Nodes)));

const pieces = [
  '#',
  '# a',
  '=',
  '==',
  '-',
  '--',
  '---',
  '>',
  '> ',
  '-',
  '*',
  '+',
  '1.',
  '2)',
  ' ',
  '   ',
  '\t',
  'a',
  'Foo',
  '\n',
  '\r\n',
  '\r',
  '`',
  '```',
  '<h1>',
  '\\#',
  '&#35;',
];

describe('internal-heading: which Markdown may hold a heading', () => {
  it('says yes for headings of every kind', () => {
    for (const text of ['# a', '  ## b', '> # c', '- # d', '1. # e', 'f\n===', 'g\n---', '> h\n> ---', '- i\n  ==', '>\t# j', 'k\r===']) {
      expect([text, hasHeading(parseMarkdown(text))]).toEqual([text, true]);
      expect([text, MAY_HAVE_HEADING.test(text)]).toEqual([text, true]);
    }
  });
  it('never says no for Markdown that has one', () => {
    const markdown = fc.array(fc.constantFrom(...pieces), { maxLength: 24 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(markdown, (text) => MAY_HAVE_HEADING.test(text) || !hasHeading(parseMarkdown(text))),
      { numRuns: 1000 },
    );
  });
});
