import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const remediationIdUnique: Rule = {
  id: 'remediation-id-unique',
  severity: 'error',
  description: 'Remediation ids are unique within an incident.',
  stage: 'incident',
  checkIncident({ incident, report }) {
    const seen = new Map<string, number>();
    incident.remediations.forEach((r, i) => {
      const first = seen.get(r.id);
      if (first !== undefined)
        report(`remediation id "${r.id}" is used twice (first at remediations[${first}])`, ['remediations', i, 'id']);
      else seen.set(r.id, i);
    });
  },
  examples: {
    ok: [
      {
        name: 'distinct ids',
        files: kb((t) => t.replace('owners:\n', '  - {id: R2, action: Add alerts., type: detect, owner: bill, status: open}\nowners:\n')),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'R1 twice',
        files: kb((t) => t.replace('owners:\n', '  - {id: R1, action: Add alerts., type: detect, owner: bill, status: open}\nowners:\n')),
        expect: [`${BASE_PATH}:23:10: error remediation id "R1" is used twice (first at remediations[0]) [remediation-id-unique]`],
      },
    ],
  },
};
