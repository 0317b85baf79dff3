import type { Rule } from './rule.js';
import { kb } from './fixtures.js';

export const frontmatter: Rule = {
  id: 'frontmatter',
  severity: 'error',
  description: 'An incident file starts with YAML front-matter between two "---" lines, and it is not empty.',
  stage: 'read',
  examples: {
    ok: [{ name: 'front-matter present', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'empty file',
        files: kb(undefined, { 'incidents/empty.md': '' }),
        expect: [
          'incidents/empty.md:1:1: error file is empty; an incident starts with YAML front-matter between "---" lines [frontmatter]',
        ],
      },
      {
        name: 'Markdown without front-matter',
        files: kb(undefined, { 'incidents/notes.md': '# Outage\n\nIt broke.\n' }),
        expect: [
          'incidents/notes.md:1:1: error no YAML front-matter: an incident file starts with a "---" line, the fields, and a closing "---" line [frontmatter]',
        ],
      },
      {
        name: 'front-matter never closed',
        files: kb(undefined, { 'incidents/open.md': '---\nid: open\ntitle: x\n' }),
        expect: [
          'incidents/open.md:1:1: error no YAML front-matter: an incident file starts with a "---" line, the fields, and a closing "---" line [frontmatter]',
        ],
      },
      {
        name: 'empty front-matter',
        files: kb(undefined, { 'incidents/blank.md': '---\n---\n# Nothing\n' }),
        expect: ['incidents/blank.md:1:1: error front-matter is empty [frontmatter]'],
      },
    ],
  },
};
