import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const relatedExists: Rule = {
  id: 'related-exists',
  severity: 'error',
  description: 'Every id in `related` is an incident of the knowledge base (and not the incident itself).',
  stage: 'knowledge-base',
  checkKnowledgeBase({ incidents, sources, report }) {
    const ids = new Set(incidents.map((i) => i.id));
    // Files that exist but failed validation still count as existing incidents.
    for (const source of sources.values()) {
      const id = (source.data as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string') ids.add(id);
    }
    for (const incident of incidents) {
      incident.related.forEach((id, i) => {
        if (id === incident.id) report(incident.file, 'an incident cannot be related to itself', ['related', i]);
        else if (!ids.has(id)) report(incident.file, `related incident "${id}" does not exist`, ['related', i]);
      });
    }
  },
  examples: {
    ok: [
      {
        name: 'existing related incident',
        files: kb((t) => t.replace('owners:', 'related: [2007-06-13-db]\nowners:'), {
          'incidents/2007-06-13-db.md': kb()[BASE_PATH]!.toString().replace('id: 2007-06-04-lb', 'id: 2007-06-13-db'),
        }),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'missing related incident',
        files: kb((t) => t.replace('owners:', 'related: [2007-06-13-db]\nowners:')),
        expect: [`${BASE_PATH}:23:11: error related incident "2007-06-13-db" does not exist [related-exists]`],
      },
    ],
  },
};
