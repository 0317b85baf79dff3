import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql } from '../src/commands/sql.js';
import { runActions } from '../src/commands/actions.js';
import { writeRows } from '../src/output/rows.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { fixtureFiles, LB, LATE, DST } from './fixtures/db-kb.js';

let root: string;
beforeAll(() => {
  root = tempKb(
    fixtureFiles([
      DST,
      {
        ...LB,
        title: '=HYPERLINK("http://evil.example","click")',
        remediations: ['{id: R1, action: "+1+cmd|calc", type: prevent, owner: dana, due: 2007-06-30, status: open}'],
      },
      LATE,
    ]),
  );
});
afterAll(() => removeKb(root));
const ctx = () => captureContext(root, { now: '2007-07-01' });
// Incident text cannot hold control characters (`check` refuses them), but a query can make them.
const BELL_TITLE = "'Red ' || char(27) || '[31malert' || char(27) || '[0m and a bell' || char(7) || ' here'";

function capture() {
  let text = '';
  return {
    write: (s: string) => {
      text += s;
      return true;
    },
    text: () => text,
  };
}

describe('the row writer', () => {
  it('escapes spreadsheet formulas in csv', async () => {
    const c = ctx();
    await runSql(c, 'SELECT id, title FROM incidents ORDER BY id', { format: 'csv' });
    expect(c.out_()).toBe(
      [
        'id,title',
        '2007-03-11-dst,Clocks changed',
        `2007-06-04-lb,"'=HYPERLINK(""http://evil.example"",""click"")"`,
        '2007-06-30-late,Late night webmail errors',
        '',
      ].join('\n'),
    );
    const a = ctx();
    await runActions(a, { format: 'csv' });
    expect(a.out_().split('\n')[1]).toContain(",'+1+cmd|calc,");
  });

  it('strips control characters from table output', async () => {
    const c = ctx();
    await runSql(c, `SELECT ${BELL_TITLE} AS title`);
    expect(c.out_()).toContain('│ Red [31malert[0m and a bell here │');
    expect(c.out_()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('writes json as an array of row objects and keeps the text as is', async () => {
    const c = ctx();
    await runSql(c, `SELECT id, ${BELL_TITLE} AS title FROM incidents WHERE id = '2007-06-30-late'`, { format: 'json' });
    expect(JSON.parse(c.out_())).toEqual([{ id: '2007-06-30-late', title: 'Red \u001b[31malert\u001b[0m and a bell\u0007 here' }]);
  });

  it('prints headers of an empty result', () => {
    for (const [format, expected] of [
      ['csv', 'a,b\n'],
      ['json', '[]\n'],
      ['table', '(no rows)\n'],
    ] as const) {
      const out = capture();
      writeRows(out, [], { format, columns: ['a', 'b'] });
      expect(out.text()).toBe(expected);
    }
  });

  it('shows nulls as empty, booleans as yes/no, and shortens long text in tables only', () => {
    const long = 'x'.repeat(200);
    const out = capture();
    writeRows(out, [{ a: null, b: true, c: long }], { format: 'table' });
    expect(out.text()).toContain(`│   │ yes │ ${'x'.repeat(79)}… │`);
    const csv = capture();
    writeRows(csv, [{ a: null, b: true, c: long }], { format: 'csv' });
    expect(csv.text()).toBe(`a,b,c\n,true,${long}\n`);
  });
});
