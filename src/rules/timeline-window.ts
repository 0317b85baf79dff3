import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const timelineWindow: Rule = {
  id: 'timeline-window',
  severity: 'error',
  description: 'Timeline entries lie within the incident window (started to resolved) give or take `validation.timeline_slack_minutes` (default 60).',
  stage: 'incident',
  checkIncident({ incident, config, report }) {
    const slack = config.validation.timeline_slack_minutes * 60000;
    const from = incident.started.epochMilliseconds - slack;
    const endInstant = incident.resolved ?? incident.mitigated;
    const to = endInstant ? endInstant.epochMilliseconds + slack : Number.POSITIVE_INFINITY;
    for (const entry of incident.timeline) {
      const t = entry.at.epochMilliseconds;
      if (t < from || t > to) {
        const where = t < from ? 'before `started`' : `after \`${incident.resolved ? 'resolved' : 'mitigated'}\``;
        const minutes = Math.round((t < from ? from + slack - t : t - (to - slack)) / 60000);
        report(`timeline entry at ${entry.at.toString()} is ${minutes} minutes ${where}, more than the ${config.validation.timeline_slack_minutes}-minute slack`,
          { line: entry.line, column: entry.column });
      }
    }
  },
  examples: {
    ok: [{ name: 'entry within the slack', files: kb((t) => replaceLine(t, 18, '  - at: 2007-06-04T08:20:00-04:00')), expect: [] }],
    notOk: [
      {
        name: 'entry a day early, and a body entry hours late',
        files: kb((t) => replaceLine(t, 18, '  - at: 2007-06-03T09:12:00-04:00') + '\n## Timeline\n\n- 2007-06-04 13:00 -04:00 — Postmortem meeting.\n'),
        expect: [
          `${BASE_PATH}:18:5: error timeline entry at 2007-06-03T13:12:00Z is 1438 minutes before \`started\`, more than the 60-minute slack [timeline-window]`,
          `${BASE_PATH}:32:1: error timeline entry at 2007-06-04T17:00:00Z is 125 minutes after \`resolved\`, more than the 60-minute slack [timeline-window]`,
        ],
      },
    ],
  },
};
