import type { Rule } from './rule.js';
import type { ImpactWindow } from '../model/impact.js';
import { didYouMean } from './nearest.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

const path = (w: ImpactWindow, ...rest: PropertyKey[]) => ['impact', 'windows', w.index - 1, ...rest];

/** The base incident with `impact.windows` (replacing `resolved` on line 11 when `resolved` is given). */
const withWindows = (windows: string[], resolved = 'resolved: 2007-06-04T10:55:00-04:00') =>
  kb((t) =>
    replaceLine(
      replaceLine(t, 11, resolved),
      13,
      ['  summary: Customers could not read mail.', '  windows:', ...windows.map((w) => `    - ${w}`)].join('\n'),
    ),
  );

export const impactWindow: Rule = {
  id: 'impact-window',
  severity: 'error',
  description:
    "Impact windows end after they start, lie between `started` and `resolved` (except `data-loss` windows: they cover the period whose data was lost, which may begin before the impact and end after it), name only the incident's services, and are closed once the incident is final.",
  stage: 'incident',
  checkIncident({ incident, report }) {
    const started = incident.started.epochMilliseconds;
    const resolved = incident.resolved?.epochMilliseconds;
    for (const w of incident.windows) {
      if (w.implicit) continue;
      const from = w.from.epochMilliseconds;
      const to = w.to?.epochMilliseconds;
      if (to !== undefined && to <= from)
        report(`window ends (${w.to!.toString()}) before it starts (${w.from.toString()}); change \`to\``, path(w, 'to'));
      if (from < started && w.level !== 'data-loss') {
        report(
          `window starts (${w.from.toString()}) before \`started\` (${incident.started.toString()}); impact began with the first window: set \`started\` to ${w.from.toString()} or change \`from\``,
          path(w, 'from'),
        );
      }
      if (to !== undefined && resolved !== undefined && to > resolved && w.level !== 'data-loss') {
        report(
          `window ends (${w.to!.toString()}) after \`resolved\` (${incident.resolved!.toString()}); set \`resolved\` to ${w.to!.toString()} or change \`to\``,
          path(w, 'to'),
        );
      }
      if (to === undefined && incident.status === 'final') report('a `final` incident cannot have an open window; give it `to`', path(w));
      w.services.forEach((s, i) => {
        if (!incident.services.includes(s)) {
          report(
            `window service "${s}" is not among the incident's \`services\` (${incident.services.join(', ')})${didYouMean(s, incident.services)}`,
            path(w, 'services', i),
          );
        }
      });
    }
  },
  examples: {
    ok: [
      {
        name: 'two stages and a data-loss window',
        files: withWindows([
          '{from: 2007-06-04T09:10:00-04:00, to: 2007-06-04T10:30:00-04:00, level: outage}',
          '{from: 2007-06-04T10:30:00-04:00, to: 2007-06-04T10:55:00-04:00, level: partial-outage, scope: {percent: 5, of: customers}}',
          '{from: 2007-06-04T08:00:00-04:00, to: 2007-06-05T12:00:00-04:00, level: data-loss, services: [webmail]}',
        ]),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'backwards, too early, past resolved, another service',
        files: withWindows([
          '{from: 2007-06-04T09:00:00-04:00, to: 2007-06-04T08:30:00-04:00}',
          '{from: 2007-06-04T10:00:00-04:00, to: 2007-06-04T11:30:00-04:00, services: [webmial]}',
        ]),
        expect: [
          `${BASE_PATH}:15:14: error window starts (2007-06-04T13:00:00Z) before \`started\` (2007-06-04T13:10:00Z); impact began with the first window: set \`started\` to 2007-06-04T13:00:00Z or change \`from\` [impact-window]`,
          `${BASE_PATH}:15:45: error window ends (2007-06-04T12:30:00Z) before it starts (2007-06-04T13:00:00Z); change \`to\` [impact-window]`,
          `${BASE_PATH}:16:45: error window ends (2007-06-04T15:30:00Z) after \`resolved\` (2007-06-04T14:55:00Z); set \`resolved\` to 2007-06-04T15:30:00Z or change \`to\` [impact-window]`,
          `${BASE_PATH}:16:83: error window service "webmial" is not among the incident's \`services\` (webmail) (did you mean "webmail"?) [impact-window]`,
        ],
      },
      {
        name: 'an open window on a final incident',
        files: withWindows(['{from: 2007-06-04T09:10:00-04:00, level: degraded}'], ''),
        expect: [`${BASE_PATH}:15:7: error a \`final\` incident cannot have an open window; give it \`to\` [impact-window]`],
      },
    ],
  },
};
