import type { Rule } from './rule.js';
import type { Incident } from '../model/incident.js';
import { UNBOUNDED_TIMELINE_KINDS } from '../schema/incident.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

const DAY = 24 * 60 * 60000;

/** The end of the incident window and the key that sets it: `resolved`, else the last window's `to`, else `mitigated`. */
function windowEnd(incident: Incident): { ms: number; key: string } | undefined {
  if (incident.resolved) return { ms: incident.resolved.epochMilliseconds, key: 'resolved' };
  const listed = incident.windows.filter((w) => !w.implicit);
  if (listed.length > 0) {
    if (listed.some((w) => !w.to)) return undefined;
    const last = listed.reduce((a, b) => (b.to!.epochMilliseconds > a.to!.epochMilliseconds ? b : a));
    return { ms: last.to!.epochMilliseconds, key: `impact.windows[${last.index - 1}].to` };
  }
  return incident.mitigated ? { ms: incident.mitigated.epochMilliseconds, key: 'mitigated' } : undefined;
}

export const timelineWindow: Rule = {
  id: 'timeline-window',
  severity: 'error',
  description:
    'Timeline entries lie within the incident window (started to resolved, else the end of the last impact window) give or take `validation.timeline_slack_minutes` (default 60). Entries of kind `precursor` and `follow-up` may lie anywhere; a day-precision entry only needs its day to meet the window.',
  stage: 'incident',
  checkIncident({ incident, config, report }) {
    const slackMinutes = config.validation.timeline_slack_minutes;
    const slack = slackMinutes * 60000;
    const from = incident.started.epochMilliseconds - slack;
    const end = windowEnd(incident);
    const to = end ? end.ms + slack : Number.POSITIVE_INFINITY;
    for (const entry of incident.timeline) {
      if (UNBOUNDED_TIMELINE_KINDS.includes(entry.kind)) continue;
      const first = entry.at.epochMilliseconds;
      const last = entry.precision === 'day' ? first + DAY - 1 : first;
      if (last >= from && first <= to) continue;
      const before = last < from;
      const minutes = Math.round((before ? from + slack - last : first - (to - slack)) / 60000);
      const fix = before
        ? 'if it happened before impact, mark it `precursor`; else move `started` earlier'
        : `if it is work after the impact, mark it \`follow-up\`; else move \`${end!.key}\` later`;
      report(
        `timeline entry at ${entry.at.toString()} is ${minutes} minutes ${before ? 'before `started`' : `after \`${end!.key}\``}, more than the ${slackMinutes}-minute slack; ${fix}`,
        { line: entry.line, column: entry.column },
      );
    }
  },
  examples: {
    ok: [
      { name: 'entry within the slack', files: kb((t) => replaceLine(t, 18, '  - at: 2007-06-04T08:20:00-04:00')), expect: [] },
      {
        name: 'a precursor the day before, a follow-up weeks later, a day-precision entry',
        files: kb(
          (t) =>
            `${t}\n## Timeline\n\n- 2007-06-03 21:00 -04:00 — [precursor] Traffic doubled.\n- 2007-06-04 — Load balancers patched.\n- 2007-06-20 — [follow-up] Capacity review.\n`,
        ),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'entry a day early, and a body entry hours late',
        files: kb(
          (t) =>
            `${replaceLine(t, 18, '  - at: 2007-06-03T09:12:00-04:00')}\n## Timeline\n\n- 2007-06-04 13:00 -04:00 — Postmortem meeting.\n`,
        ),
        expect: [
          `${BASE_PATH}:18:5: error timeline entry at 2007-06-03T13:12:00Z is 1438 minutes before \`started\`, more than the 60-minute slack; if it happened before impact, mark it \`precursor\`; else move \`started\` earlier [timeline-window]`,
          `${BASE_PATH}:32:1: error timeline entry at 2007-06-04T17:00:00Z is 125 minutes after \`resolved\`, more than the 60-minute slack; if it is work after the impact, mark it \`follow-up\`; else move \`resolved\` later [timeline-window]`,
        ],
      },
      {
        name: 'a day-precision entry after the last impact window',
        files: kb(
          (t) =>
            `${replaceLine(
              replaceLine(t, 11, ''),
              13,
              '  summary: Customers could not read mail.\n  windows:\n    - {from: 2007-06-04T09:10:00-04:00, to: 2007-06-04T10:30:00-04:00}',
            )}\n## Timeline\n\n- 2007-06-06 — Traffic back to normal.\n`,
        ),
        expect: [
          `${BASE_PATH}:34:1: error timeline entry at 2007-06-06T04:00:00Z is 2250 minutes after \`impact.windows[0].to\`, more than the 60-minute slack; if it is work after the impact, mark it \`follow-up\`; else move \`impact.windows[0].to\` later [timeline-window]`,
        ],
      },
    ],
  },
};
