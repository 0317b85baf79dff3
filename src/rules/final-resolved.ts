import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const finalResolved: Rule = {
  id: 'final-resolved',
  severity: 'error',
  description: 'A `final` incident must say when it was `resolved`.',
  stage: 'incident',
  checkIncident({ incident, report }) {
    if (incident.status === 'final' && !incident.resolved) {
      report('`status: final` needs `resolved`: when did impact end for everyone?', ['status']);
    }
  },
  examples: {
    ok: [
      {
        name: 'draft without resolved',
        files: kb((t) => t.replace('status: final', 'status: draft').replace(/resolved: .*\n/, '')),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'final without resolved',
        files: kb((t) => t.replace(/resolved: .*\n/, '')),
        expect: [`${BASE_PATH}:4:9: error \`status: final\` needs \`resolved\`: when did impact end for everyone? [final-resolved]`],
      },
    ],
  },
};
