import type { Rule } from './rule.js';
import { TIMESTAMP_FIELDS } from '../schema/incident.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const timeOrder: Rule = {
  id: 'time-order',
  severity: 'error',
  description:
    '`mitigated` and `resolved` cannot come before `started`, and `resolved` cannot come before `mitigated`. `detected` may (proactive detection).',
  stage: 'incident',
  checkIncident({ incident, report }) {
    const { started } = incident;
    for (const field of TIMESTAMP_FIELDS.slice(2)) {
      const t = incident[field];
      if (t && t.epochMilliseconds < started.epochMilliseconds) {
        report(`\`${field}\` (${t.toString()}) is before \`started\` (${started.toString()})`, [field]);
      }
    }
    const { mitigated, resolved } = incident;
    if (
      mitigated &&
      resolved &&
      resolved.epochMilliseconds < mitigated.epochMilliseconds &&
      resolved.epochMilliseconds >= started.epochMilliseconds
    ) {
      report(`\`resolved\` (${resolved.toString()}) is before \`mitigated\` (${mitigated.toString()})`, ['resolved']);
    }
  },
  examples: {
    ok: [
      { name: 'in order, across offsets', files: kb((t) => replaceLine(t, 11, 'resolved: 2007-06-04T14:55:00Z')), expect: [] },
      {
        name: 'detected before started (proactive detection)',
        files: kb((t) => replaceLine(t, 9, 'detected: 2007-06-04T09:00:00-04:00')),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'mitigated before started',
        files: kb((t) => replaceLine(t, 10, 'mitigated: 2007-06-04T09:00:00-04:00')),
        expect: [
          `${BASE_PATH}:10:12: error \`mitigated\` (2007-06-04T13:00:00Z) is before \`started\` (2007-06-04T13:10:00Z) [time-order]`,
        ],
      },
      {
        name: 'resolved before mitigated (same wall time, other offset)',
        files: kb((t) => replaceLine(t, 11, 'resolved: 2007-06-04T10:29:00-04:00')),
        expect: [
          `${BASE_PATH}:11:11: error \`resolved\` (2007-06-04T14:29:00Z) is before \`mitigated\` (2007-06-04T14:30:00Z) [time-order]`,
        ],
      },
    ],
  },
};
