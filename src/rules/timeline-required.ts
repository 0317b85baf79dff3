import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const timelineRequired: Rule = {
  id: 'timeline-required',
  severity: 'error',
  description: 'An incident has at least one timeline entry, in the front-matter `timeline` or the `## Timeline` section.',
  stage: 'incident',
  checkIncident({ incident, report }) {
    if (incident.timeline.length === 0) report('the timeline is empty: add `timeline` entries or a `## Timeline` list', ['timeline']);
  },
  examples: {
    ok: [
      {
        name: 'timeline only in the body',
        files: kb((t) => `${t.replace(/timeline:\n(?: {2,}.*\n)+/, '')}\n## Timeline\n\n- 09:12 — [detection] Alert fired.\n`),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'no timeline at all',
        files: kb((t) => t.replace(/timeline:\n(?: {2,}.*\n)+/, '')),
        expect: [`${BASE_PATH}:1:1: error the timeline is empty: add \`timeline\` entries or a \`## Timeline\` list [timeline-required]`],
      },
    ],
  },
};
