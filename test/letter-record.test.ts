import { afterAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../src/kb/load.js';
import { customerLetter } from '../src/letter/model.js';
import { BASE_CONFIG, BASE_INCIDENT, BASE_PATH } from '../src/rules/fixtures.js';
import { removeKb, tempKb } from './helpers/kb.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

/** Letters print times as honestly as the record knows them, and durations from the impact windows. */
describe('customer letters and the richer record', () => {
  it('says "around" for approximate times and prints a day-precision entry as its day', () => {
    const text = `${BASE_INCIDENT}\n## Timeline\n\n- ~09:40 — [mitigation, public] Traffic was spread out again.\n- 2007-06-05 — [follow-up, public] Extra load balancers were added.\n`;
    const root = tempKb({ 'postmortem.config.yaml': BASE_CONFIG, [BASE_PATH]: text });
    roots.push(root);
    const kb = loadKnowledgeBase({ root, now: '2007-06-05' });
    expect(kb.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const letter = customerLetter(kb.incidents, kb.config, { audience: 'customers' });
    expect(letter.incidents[0]!.timeline).toEqual([
      {
        time: 'around 9:40 AM EDT',
        event: 'Traffic was spread out again.',
        at: '2007-06-04T09:40:00-04:00',
        precision: 'minute',
        approximate: true,
      },
      { time: 'June 5', event: 'Extra load balancers were added.', at: '2007-06-05T00:00:00-04:00', precision: 'day', approximate: false },
    ]);
    expect(letter.incidents[0]!.when).toContain('lasted 1 hour and 45 minutes');
  });

  it('ends an incident without `resolved` at the end of its last impact window', () => {
    const text = BASE_INCIDENT.replace('status: final', 'status: review')
      .replace('resolved: 2007-06-04T10:55:00-04:00\n', '')
      .replace(
        '  summary: Customers could not read mail.\n',
        '  summary: Customers could not read mail.\n  windows:\n    - {from: 2007-06-04T09:10:00-04:00, to: 2007-06-04T10:30:00-04:00}\n    - {from: 2007-06-04T10:30:00-04:00, to: 2007-06-04T11:10:00-04:00, level: partial-outage}\n',
      );
    const root = tempKb({ 'postmortem.config.yaml': BASE_CONFIG, [BASE_PATH]: text });
    roots.push(root);
    const kb = loadKnowledgeBase({ root, now: '2007-06-05' });
    expect(kb.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const letter = customerLetter(kb.incidents, kb.config, { audience: 'customers' });
    expect(letter.incidents[0]!.when).toBe('It began at 9:10 AM EDT and lasted 2 hours, until 11:10 AM EDT.');
  });
});
