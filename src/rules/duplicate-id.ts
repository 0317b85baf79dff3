import type { Rule } from './rule.js';
import { kb } from './fixtures.js';

export const duplicateId: Rule = {
  id: 'duplicate-id',
  severity: 'error',
  description: 'Incident ids are unique across the knowledge base.',
  stage: 'knowledge-base',
  checkKnowledgeBase({ incidents, report }) {
    const first = new Map<string, string>();
    for (const incident of incidents) {
      const seen = first.get(incident.id);
      if (seen) report(incident.file, `id "${incident.id}" is already used by ${seen}`, ['id']);
      else first.set(incident.id, incident.file);
    }
  },
  examples: {
    ok: [{ name: 'one incident', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'same file name in two year folders',
        files: kb(
          undefined,
          { 'incidents/2008/2007-06-04-lb.md': kb()['incidents/2007-06-04-lb.md'] as string },
          'incidents/2007/2007-06-04-lb.md',
        ),
        expect: [
          'incidents/2008/2007-06-04-lb.md:2:5: error id "2007-06-04-lb" is already used by incidents/2007/2007-06-04-lb.md [duplicate-id]',
        ],
      },
    ],
  },
};
