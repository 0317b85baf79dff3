import type { Rule } from './rule.js';
import { kb } from './fixtures.js';

export const idFilename: Rule = {
  id: 'id-filename',
  severity: 'error',
  description: 'The `id` must equal the file name without `.md`.',
  stage: 'incident',
  checkIncident({ incident, report }) {
    const base = incident.file.split('/').pop()!.replace(/\.md$/i, '');
    if (base !== incident.id) report(`\`id\` "${incident.id}" does not match the file name "${base}.md"; rename one of them`, ['id']);
  },
  examples: {
    ok: [{ name: 'matching name in a sub-folder', files: kb(undefined, {}, 'incidents/2007/2007-06-04-lb.md'), expect: [] }],
    notOk: [
      {
        name: 'renamed file',
        files: kb(undefined, {}, 'incidents/lb-overload.md'),
        expect: [
          'incidents/lb-overload.md:2:5: error `id` "2007-06-04-lb" does not match the file name "lb-overload.md"; rename one of them [id-filename]',
        ],
      },
    ],
  },
};
