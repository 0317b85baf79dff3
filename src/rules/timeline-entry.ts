import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const timelineEntry: Rule = {
  id: 'timeline-entry',
  severity: 'warning',
  description: 'A list item in the `## Timeline` section that does not start with a time is not read as a timeline entry.',
  stage: 'incident',
  checkIncident({ source, report }) {
    for (const item of source.unreadTimeline) {
      report(
        `timeline item does not start with a time ("HH:MM — text" or "YYYY-MM-DD HH:MM ±HH:MM — text"), so it is not on the timeline: ${JSON.stringify(item.text.slice(0, 40))}`,
        { line: item.line, column: item.column },
      );
    }
  },
  examples: {
    ok: [
      {
        name: 'timed items',
        files: kb(
          (t) =>
            t +
            '\n## Timeline\n\n- 09:20 — [action] Paged the network team.\n- 2007-06-04 09:40 -04:00 — [mitigation, public] Traffic moved.\n',
        ),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'an untimed item',
        files: kb((t) => `${t}\n## Timeline\n\n- 09:20 — Paged the network team.\n- Then we waited.\n`),
        expect: [
          `${BASE_PATH}:33:1: warning timeline item does not start with a time ("HH:MM — text" or "YYYY-MM-DD HH:MM ±HH:MM — text"), so it is not on the timeline: "Then we waited." [timeline-entry]`,
        ],
      },
    ],
  },
};
