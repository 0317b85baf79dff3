import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { commitHistory } from './helpers/git-history.js';
import { CONFIG, incidentText, LB, pathOf, type IncidentSpec } from './fixtures/db-kb.js';
import { runActions } from '../src/commands/actions.js';
import { foldLine, icsLines, icsText } from '../src/export/ics.js';
import { propertyRuns } from './helpers/runs.js';

const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

const TEAM_CONFIG = `${CONFIG.replace('{id: bill, name: Bill Example,', '{id: bill, name: Bill Example, team: platform,').replace('{id: dana, name: Dana Example}', '{id: dana, name: Dana Example, team: platform}')}`;
const rem = (id: string, status: string, due: string, owner = 'bill', extra = '') =>
  `{id: ${id}, action: ${JSON.stringify(`Action ${id}, with; a\\backslash.`)}, type: prevent, owner: ${JSON.stringify(owner)}, due: ${due}, status: ${status}${extra}}`;
const lb = (remediations: string[]): IncidentSpec => ({ ...LB, remediations });

/** What calendar clients see: every VTODO of a calendar, parsed by ical.js. */
function todos(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  expect(calendar.name).toBe('vcalendar');
  expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
  expect(calendar.getFirstPropertyValue('prodid')).toBeTruthy();
  return calendar.getAllSubcomponents('vtodo').map((c) => {
    const due = c.getFirstPropertyValue('due') as ICAL.Time | null;
    return {
      uid: c.getFirstPropertyValue('uid'),
      sequence: c.getFirstPropertyValue('sequence'),
      status: c.getFirstPropertyValue('status'),
      summary: c.getFirstPropertyValue('summary'),
      due: due ? `${due.toString()}${due.isDate ? ' (date)' : ''}` : null,
      dtstamp: (c.getFirstPropertyValue('dtstamp') as ICAL.Time).toString(),
      lastModified: (c.getFirstPropertyValue('last-modified') as ICAL.Time | null)?.toString() ?? null,
      completed: (c.getFirstPropertyValue('completed') as ICAL.Time | null)?.toString() ?? null,
    };
  });
}

async function calendar(root: string, options: Parameters<typeof runActions>[1]) {
  const ctx = captureContext(root);
  const result = await runActions(ctx, { format: 'ics', ...options });
  return { text: ctx.out_(), err: ctx.err_(), exitCode: result.exitCode };
}

describe('actions --format ics', () => {
  it("one VTODO per remediation: stable UID, DUE as a date, statuses as VTODO's own, escaped text that parses back", async () => {
    const root = tempKb({
      'postmortem.config.yaml': TEAM_CONFIG,
      [pathOf(LB)]: incidentText(
        lb([
          rem('R1', 'open', '2007-06-30'),
          rem('R2', 'in-progress', '2007-07-15', 'dana'),
          rem('R3', 'done', '2007-06-10', 'bill', ', completed: 2007-06-09'),
          rem('R4', 'wont-do', '2007-08-01'),
          rem('R5', 'open', '2007-09-01', 'provider:rackspace'),
        ]),
      ),
    });
    roots.push(root);
    const bill = await calendar(root, { owner: 'bill' });
    expect(bill.exitCode).toBe(0);
    expect(bill.text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    expect(todos(bill.text)).toEqual([
      {
        uid: '2007-06-04-lb/R1@postmortem-kb',
        sequence: 0,
        status: 'NEEDS-ACTION',
        summary: 'Action R1, with; a\\backslash.',
        due: '2007-06-30 (date)',
        dtstamp: '2007-06-05T03:00:00Z',
        lastModified: null,
        completed: null,
      },
      {
        uid: '2007-06-04-lb/R3@postmortem-kb',
        sequence: 0,
        status: 'COMPLETED',
        summary: 'Action R3, with; a\\backslash.',
        due: '2007-06-10 (date)',
        dtstamp: '2007-06-05T03:00:00Z',
        lastModified: null,
        completed: '2007-06-09T04:00:00Z',
      },
      {
        uid: '2007-06-04-lb/R4@postmortem-kb',
        sequence: 0,
        status: 'CANCELLED',
        summary: 'Action R4, with; a\\backslash.',
        due: '2007-08-01 (date)',
        dtstamp: '2007-06-05T03:00:00Z',
        lastModified: null,
        completed: null,
      },
    ]);
    const team = todos((await calendar(root, { team: 'platform' })).text);
    expect(team.map((t) => [t.uid, t.status])).toEqual([
      ['2007-06-04-lb/R1@postmortem-kb', 'NEEDS-ACTION'],
      ['2007-06-04-lb/R2@postmortem-kb', 'IN-PROCESS'],
      ['2007-06-04-lb/R3@postmortem-kb', 'COMPLETED'],
      ['2007-06-04-lb/R4@postmortem-kb', 'CANCELLED'],
    ]);
    expect(todos((await calendar(root, { provider: 'rackspace' })).text).map((t) => t.uid)).toEqual(['2007-06-04-lb/R5@postmortem-kb']);
    // the same input, the same bytes
    expect((await calendar(root, { owner: 'bill' })).text).toBe(bill.text);
  });

  it('without a selection, writes one calendar per owner, team and provider to <out>/calendars/, and removes calendars that are gone', async () => {
    const root = tempKb({
      'postmortem.config.yaml': TEAM_CONFIG,
      [pathOf(LB)]: incidentText(
        lb([
          rem('R1', 'open', '2007-06-30'),
          rem('R2', 'open', '2007-07-15', 'dana'),
          rem('R5', 'open', '2007-09-01', 'provider:rackspace'),
        ]),
      ),
    });
    roots.push(root);
    const first = await calendar(root, {});
    const dir = join(root, 'out', 'calendars');
    expect(readdirSync(dir).sort()).toEqual(['owner-bill.ics', 'owner-dana.ics', 'provider-rackspace.ics', 'team-platform.ics']);
    expect(first.text).toContain('4 calendars of 3 remediations.');
    for (const file of readdirSync(dir)) expect(todos(readFileSync(join(dir, file), 'utf8')).length).toBeGreaterThan(0);
    writeFileSync(join(root, pathOf(LB)), incidentText(lb([rem('R1', 'open', '2007-06-30')])));
    await calendar(root, {});
    expect(readdirSync(dir).sort()).toEqual(['owner-bill.ics', 'team-platform.ics']);
  });

  it('a moved due date keeps the UID and raises SEQUENCE; LAST-MODIFIED and DTSTAMP come from the commit, not the clock', async () => {
    const root = tempKb({ 'postmortem.config.yaml': TEAM_CONFIG });
    roots.push(root);
    const path = pathOf(LB);
    commitHistory(root, [{ date: '2007-06-06T10:00:00-04:00', files: { [path]: incidentText(lb([rem('R1', 'open', '2007-06-30')])) } }]);
    const before = todos((await calendar(root, { owner: 'bill' })).text)[0]!;
    expect(before).toMatchObject({
      uid: '2007-06-04-lb/R1@postmortem-kb',
      sequence: 0,
      due: '2007-06-30 (date)',
      lastModified: '2007-06-06T14:00:00Z',
      dtstamp: '2007-06-06T14:00:00Z',
    });

    // edited, not yet committed: a higher SEQUENCE already, the last commit's time
    writeFileSync(join(root, path), incidentText(lb([rem('R1', 'open', '2007-07-31')])));
    const edited = todos((await calendar(root, { owner: 'bill' })).text)[0]!;
    expect(edited).toMatchObject({ uid: before.uid, sequence: 1, due: '2007-07-31 (date)', lastModified: '2007-06-06T14:00:00Z' });

    commitHistory(root, [{ date: '2007-06-20T09:00:00-04:00', files: { [path]: incidentText(lb([rem('R1', 'open', '2007-07-31')])) } }]);
    const moved = todos((await calendar(root, { owner: 'bill' })).text)[0]!;
    expect(moved).toMatchObject({
      uid: before.uid,
      sequence: 1,
      due: '2007-07-31 (date)',
      lastModified: '2007-06-20T13:00:00Z',
      dtstamp: '2007-06-20T13:00:00Z',
    });

    commitHistory(root, [
      {
        date: '2007-07-30T09:00:00-04:00',
        files: { [path]: incidentText(lb([rem('R1', 'done', '2007-07-31', 'bill', ', completed: 2007-07-29')])) },
      },
    ]);
    const done = todos((await calendar(root, { owner: 'bill' })).text)[0]!;
    expect(done).toMatchObject({ uid: before.uid, sequence: 2, status: 'COMPLETED', completed: '2007-07-29T04:00:00Z' });
  });

  it('reports a selection that names nothing configured, and --team without ics', async () => {
    const root = tempKb({ 'postmortem.config.yaml': TEAM_CONFIG, [pathOf(LB)]: incidentText(lb([rem('R1', 'open', '2007-06-30')])) });
    roots.push(root);
    await expect(calendar(root, { team: 'platfrom' })).rejects.toThrow(
      '--team "platfrom" is not the team of any owner in postmortem.config.yaml',
    );
    await expect(calendar(root, { owner: 'bill', provider: 'rackspace' })).rejects.toThrow(
      '--owner and --provider each select a calendar: give one of them',
    );
    await expect(runActions(captureContext(root), { team: 'platform' })).rejects.toThrow(
      '--team and --provider select a calendar: use them with --format ics',
    );
  });
});

describe('RFC 5545 text and folding', () => {
  const textArb = fc.string({
    unit: fc.oneof(
      fc.constantFrom(',', ';', '\\', '\n', ':', '"', 'é', '漢', '😀', '👩‍💻', ' '),
      fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
    ),
    maxLength: 300,
  });
  it('any text folds into lines of at most 75 octets and parses back to itself (ical.js)', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const expected = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
        const stream = icsLines([
          ['BEGIN', 'VCALENDAR'],
          ['VERSION', '2.0'],
          ['PRODID', '-//t//t//EN'],
          ['BEGIN', 'VTODO'],
          ['UID', 'x'],
          ['DTSTAMP', '20070101T000000Z'],
          ['SUMMARY', icsText(text)],
          ['END', 'VTODO'],
          ['END', 'VCALENDAR'],
        ]);
        for (const line of stream.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
        const todo = new ICAL.Component(ICAL.parse(stream)).getFirstSubcomponent('vtodo')!;
        expect(todo.getFirstPropertyValue('summary') ?? '').toBe(expected);
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('never splits a character between lines', () => {
    const folded = foldLine(`SUMMARY:${'😀'.repeat(40)}`);
    expect(folded.split('\r\n').every((l) => !l.includes('\ufffd') && Buffer.byteLength(l) <= 75)).toBe(true);
    expect(folded.replace(/\r\n /g, '')).toBe(`SUMMARY:${'😀'.repeat(40)}`);
  });
});
