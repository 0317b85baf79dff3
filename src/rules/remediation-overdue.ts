import type { Rule } from './rule.js';
import { parseDate, Temporal } from '../model/time.js';
import { BASE_PATH, kb } from './fixtures.js';

export const remediationOverdue: Rule = {
  id: 'remediation-overdue',
  severity: 'warning',
  description: 'An open or in-progress remediation whose due date has passed (against `--now`, the config `as_of`, or today).',
  stage: 'incident',
  checkIncident({ incident, today, report }) {
    incident.remediations.forEach((r, i) => {
      if (r.status !== 'open' && r.status !== 'in-progress') return;
      const due = r.due ? parseDate(r.due) : undefined;
      if (due && Temporal.PlainDate.compare(due, today) < 0) {
        const days = due.until(today, { largestUnit: 'days' }).days;
        report(`remediation ${r.id} is ${r.status} and ${days} day${days === 1 ? '' : 's'} overdue (due ${r.due})`, [
          'remediations',
          i,
          'due',
        ]);
      }
    });
  },
  examples: {
    ok: [
      { name: 'done late is fine', files: kb(), now: '2007-08-01', expect: [] },
      { name: 'open, not yet due', files: kb((t) => t.replace('status: done', 'status: open')), now: '2007-06-30', expect: [] },
    ],
    notOk: [
      {
        name: 'open and past due',
        files: kb((t) => t.replace('status: done', 'status: in-progress')),
        now: '2007-07-02',
        expect: [`${BASE_PATH}:22:79: warning remediation R1 is in-progress and 2 days overdue (due 2007-06-30) [remediation-overdue]`],
      },
    ],
  },
};
