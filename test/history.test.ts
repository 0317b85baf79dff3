import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { commitHistory, commitStep, git } from './helpers/git-history.js';
import { CONFIG, DST, incidentText, LB, pathOf, type IncidentSpec } from './fixtures/db-kb.js';
import { updateKnowledgeBase } from '../src/db/knowledge-base.js';
import { repoState } from '../src/history/git.js';
import { runActions } from '../src/commands/actions.js';
import { runStats } from '../src/commands/stats.js';
import { runRecurrence } from '../src/commands/recurrence.js';
import { runLetter } from '../src/commands/letter.js';
import { runBuild } from '../src/commands/build.js';

const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

const rem = (id: string, status: string, due: string, extra = '') =>
  `{id: ${id}, action: Action ${id}., type: prevent, owner: bill, due: ${due}, status: ${status}${extra}}`;
const lb = (remediations: string[], more: Partial<IncidentSpec> = {}): IncidentSpec => ({ ...LB, remediations, ...more });

/** A knowledge base whose incident went through three recorded versions in June and July 2007. */
function lbHistory() {
  const root = tempKb({ 'postmortem.config.yaml': CONFIG });
  roots.push(root);
  const path = pathOf(LB);
  const commits = commitHistory(root, [
    {
      date: '2007-06-06T10:00:00-04:00',
      files: { [path]: incidentText(lb([rem('R1', 'open', '2007-06-30'), rem('R3', 'open', '2007-06-10')])) },
    },
    {
      date: '2007-06-09T18:00:00-04:00',
      files: { [path]: incidentText(lb([rem('R1', 'in-progress', '2007-06-30'), rem('R3', 'done', '2007-06-10')])) },
    },
    {
      date: '2007-07-02T23:30:00-04:00',
      files: { [path]: incidentText(lb([rem('R1', 'open', '2007-07-31'), rem('R3', 'done', '2007-06-10')], { severity: 'SEV2' })) },
    },
  ]);
  return { root, commits };
}

const rowsOf = async (root: string, sql: string) => {
  const kb = await updateKnowledgeBase(captureContext(root));
  const db = kb.openDb();
  try {
    return { kb, rows: db.prepare(sql).raw().all() };
  } finally {
    db.close();
  }
};

describe('history from git', () => {
  it('records every change of status, due date and severity with its commit date', async () => {
    const { root, commits } = lbHistory();
    const { kb, rows } = await rowsOf(
      root,
      'SELECT remediation_id, committed_date, field, old_value, new_value, commit_id FROM remediation_history ORDER BY position',
    );
    expect(kb.history.source).toBe('git');
    expect(rows).toEqual([
      ['R1', '2007-06-06', 'status', null, 'open', commits[0]],
      ['R1', '2007-06-06', 'due', null, '2007-06-30', commits[0]],
      ['R1', '2007-06-06', 'owner', null, 'bill', commits[0]],
      ['R3', '2007-06-06', 'status', null, 'open', commits[0]],
      ['R3', '2007-06-06', 'due', null, '2007-06-10', commits[0]],
      ['R3', '2007-06-06', 'owner', null, 'bill', commits[0]],
      ['R1', '2007-06-09', 'status', 'open', 'in-progress', commits[1]],
      ['R3', '2007-06-09', 'status', 'open', 'done', commits[1]],
      ['R1', '2007-07-02', 'status', 'in-progress', 'open', commits[2]],
      ['R1', '2007-07-02', 'due', '2007-06-30', '2007-07-31', commits[2]],
    ]);
    const incident = await rowsOf(
      root,
      'SELECT incident_id, committed_date, field, old_value, new_value FROM incident_history ORDER BY position',
    );
    expect(incident.rows).toEqual([
      ['2007-06-04-lb', '2007-06-06', 'status', null, 'final'],
      ['2007-06-04-lb', '2007-06-06', 'severity', null, 'SEV1'],
      ['2007-06-04-lb', '2007-07-02', 'severity', 'SEV1', 'SEV2'],
    ]);
    const done = await rowsOf(root, 'SELECT remediation_id, completed, completed_from FROM remediation_completion');
    expect(done.rows).toEqual([['R3', '2007-06-09', 'git']]);
  });
});

describe('--as-of', () => {
  it("evaluates remediations on the text of the day's last commit", async () => {
    const { root, commits } = lbHistory();
    const at = async (asOf: string) => {
      const ctx = captureContext(root);
      const { rows } = await runActions(ctx, { status: 'all', format: 'json', asOf });
      return { rows: rows.map((r) => [r.remediation_id, r.status, r.due, r.days_overdue]), err: ctx.err_() };
    };
    const june8 = await at('2007-06-08');
    expect(june8.rows).toEqual([
      ['R3', 'open', '2007-06-10', null],
      ['R1', 'open', '2007-06-30', null],
    ]);
    expect(june8.err).toBe(`postmortem: as of 2007-06-08: incident text of commit ${commits[0]!.slice(0, 7)} (2007-06-06)\n`);
    expect((await at('2007-06-12')).rows).toEqual([
      ['R3', 'done', '2007-06-10', null],
      ['R1', 'in-progress', '2007-06-30', null],
    ]);
    // the last commit of 2 July was at 23:30 New York time (3 July in UTC): the day is the display zone's
    expect((await at('2007-07-02')).rows).toEqual([
      ['R3', 'done', '2007-06-10', null],
      ['R1', 'open', '2007-07-31', null],
    ]);
    expect((await at('2007-07-01')).rows).toEqual([
      ['R3', 'done', '2007-06-10', null],
      ['R1', 'in-progress', '2007-06-30', 1],
    ]);
  });

  it("before the history starts, uses the records' own dates and says so", async () => {
    const root = tempKb({
      'postmortem.config.yaml': CONFIG,
      [pathOf(LB)]: incidentText(
        lb([rem('R1', 'done', '2007-06-30', ', completed: 2007-06-20'), rem('R3', 'done', '2007-06-10', ', completed: 2007-06-09')]),
      ),
      [pathOf(DST)]: incidentText(DST),
    });
    roots.push(root);
    commitHistory(root, [{ date: '2026-11-28T10:00:00Z' }]);
    const ctx = captureContext(root);
    const { rows } = await runActions(ctx, { status: 'all', format: 'json', asOf: '2007-06-15' });
    // DST's R1 has no completed field: git dates it to the first commit (2026), after the day, so it was not known done then
    expect(rows.map((r) => [r.incident_id, r.remediation_id, r.status])).toEqual([
      ['2007-03-11-dst', 'R1', 'open'],
      ['2007-06-04-lb', 'R3', 'done'],
      ['2007-06-04-lb', 'R1', 'open'],
    ]);
    expect(ctx.err_()).toBe(
      "postmortem: as of 2007-06-15: the git history starts after that day, so today's incident text is used with the records' own dates (incidents started later left out; remediations completed later counted as open)\n",
    );
    const before = captureContext(root);
    const stats = await runStats(before, { by: 'severity', format: 'json', asOf: '2007-06-01' });
    expect(stats.rows.map((r) => [r.group, r.incidents])).toEqual([['SEV2', 1]]); // the June incident had not happened
  });

  it('rejects a date that is not one, in the one JSON error shape', async () => {
    const { root } = lbHistory();
    const ctx = captureContext(root);
    const result = await runActions(ctx, { format: 'json', asOf: '2007-02-30' });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(ctx.out_())).toMatchObject({ error: { message: '--as-of "2007-02-30" is not a date' } });
  });
});

describe('history edge cases', () => {
  it('follows a renamed incident file and a renamed remediation id', async () => {
    const root = tempKb({ 'postmortem.config.yaml': CONFIG });
    roots.push(root);
    const spec = lb([rem('R1', 'open', '2007-06-30'), rem('R3', 'open', '2007-06-10')]);
    const renamed = { ...spec, id: '2007-06-04-lb-overload' };
    commitHistory(root, [
      { date: '2007-06-06T10:00:00-04:00', files: { [pathOf(LB)]: incidentText(spec) } },
      {
        date: '2007-06-09T10:00:00-04:00',
        files: {
          [pathOf(LB)]: incidentText({ ...spec, remediations: [rem('R1', 'done', '2007-06-30'), rem('R3', 'open', '2007-06-10')] }),
        },
      },
      {
        date: '2007-06-20T10:00:00-04:00',
        renames: [[pathOf(LB), pathOf(renamed)]],
        files: {
          [pathOf(renamed)]: incidentText({ ...renamed, remediations: [rem('R1', 'done', '2007-06-30'), rem('R3', 'open', '2007-06-10')] }),
        },
      },
      {
        date: '2007-06-25T10:00:00-04:00',
        files: {
          [pathOf(renamed)]: incidentText({
            ...renamed,
            remediations: [
              `{id: R1-lb, action: Action R1., type: prevent, owner: bill, due: 2007-06-30, status: done}`,
              rem('R3', 'done', '2007-06-10'),
            ],
          }),
        },
      },
    ]);
    const { rows } = await rowsOf(
      root,
      `SELECT incident_id, remediation_id, completed, completed_from FROM remediation_completion ORDER BY remediation_id`,
    );
    expect(rows).toEqual([
      ['2007-06-04-lb-overload', 'R1-lb', '2007-06-09', 'git'],
      ['2007-06-04-lb-overload', 'R3', '2007-06-25', 'git'],
    ]);
    const renames = await rowsOf(
      root,
      `SELECT incident_id, remediation_id, recorded_id, field, old_value, new_value FROM remediation_history WHERE field IN ('id', 'removed') OR (field = 'status' AND remediation_id = 'R1-lb') ORDER BY position`,
    );
    expect(renames.rows).toEqual([
      ['2007-06-04-lb-overload', 'R1-lb', 'R1', 'status', null, 'open'],
      ['2007-06-04-lb-overload', 'R1-lb', 'R1', 'status', 'open', 'done'],
      ['2007-06-04-lb-overload', 'R1-lb', 'R1-lb', 'id', 'R1', 'R1-lb'],
    ]);
    const incident = await rowsOf(
      root,
      `SELECT incident_id, recorded_id, field, old_value, new_value FROM incident_history WHERE field IN ('id', 'file') ORDER BY position`,
    );
    expect(incident.rows).toEqual([
      ['2007-06-04-lb-overload', '2007-06-04-lb-overload', 'id', '2007-06-04-lb', '2007-06-04-lb-overload'],
      ['2007-06-04-lb-overload', '2007-06-04-lb-overload', 'file', pathOf(LB), pathOf(renamed)],
    ]);
  });

  it('skips a version that does not validate, with a located warning, and goes on', async () => {
    const { root } = lbHistory();
    const bad = incidentText(lb([rem('R1', 'done', '2007-06-30')])).replace('severity: SEV1', 'severity: SEV9');
    commitStep(root, { date: '2007-07-10T10:00:00-04:00', files: { [pathOf(LB)]: bad } });
    const line = bad.split('\n').findIndex((l) => l.startsWith('severity:')) + 1;
    commitStep(root, {
      date: '2007-07-12T10:00:00-04:00',
      files: { [pathOf(LB)]: incidentText(lb([rem('R1', 'done', '2007-07-31'), rem('R3', 'done', '2007-06-10')], { severity: 'SEV2' })) },
    });
    const ctx = captureContext(root);
    const kb = await updateKnowledgeBase(ctx);
    expect(kb.history.problems).toEqual([
      expect.objectContaining({ file: pathOf(LB), line, column: 11, severity: 'warning', ruleId: 'history' }),
    ]);
    expect(kb.history.problems[0]!.message).toMatch(/^version of commit [0-9a-f]{7} \(2007-07-10\) left out of the history: /);
    const { rows } = await rowsOf(root, `SELECT remediation_id, completed FROM remediation_completion`);
    expect(rows).toEqual([
      ['R1', '2007-07-12'],
      ['R3', '2007-06-09'],
    ]);
    const build = captureContext(root);
    const result = await runBuild(build);
    expect(result.exitCode).toBe(0);
    expect(build.out_()).toMatch(
      new RegExp(
        `^${pathOf(LB)}:${line}:11: warning version of commit [0-9a-f]{7} \\(2007-07-10\\) left out of the history: .* \\[history\\]$`,
        'm',
      ),
    );
    expect(build.out_()).toContain('History: from git (no new commit).');
  });

  it('reads only new commits, and everything again when history is rewritten', async () => {
    const { root } = lbHistory();
    const first = await updateKnowledgeBase(captureContext(root));
    expect(first.history.read).toBe(3);
    commitStep(root, {
      date: '2007-07-20T10:00:00-04:00',
      files: { [pathOf(LB)]: incidentText(lb([rem('R1', 'done', '2007-07-31'), rem('R3', 'done', '2007-06-10')], { severity: 'SEV2' })) },
    });
    const second = await updateKnowledgeBase(captureContext(root));
    expect([second.history.read, second.history.note]).toEqual([1, undefined]);
    expect((await rowsOf(root, `SELECT remediation_id, completed FROM remediation_completion ORDER BY 1`)).rows).toEqual([
      ['R1', '2007-07-20'],
      ['R3', '2007-06-09'],
    ]);
    // a commit that changes nothing under incidents/ leaves the database alone
    commitStep(root, { date: '2007-07-21T10:00:00-04:00', files: { 'README.md': 'notes\n' } });
    const untouched = await updateKnowledgeBase(captureContext(root));
    expect([untouched.history.read, untouched.rebuilt]).toEqual([0, false]);
    // rewrite: drop the last two commits and record R1 done on another day
    git(root, ['reset', '-q', '--hard', 'HEAD~3']);
    commitStep(root, {
      date: '2007-07-25T10:00:00-04:00',
      files: { [pathOf(LB)]: incidentText(lb([rem('R1', 'done', '2007-07-31'), rem('R3', 'done', '2007-06-10')])) },
    });
    const third = await updateKnowledgeBase(captureContext(root));
    expect(third.history.read).toBe(3);
    expect(third.history.note).toMatch(
      /^git history rewritten \(commit [0-9a-f]{7} is no longer an ancestor of HEAD\): read again from the start$/,
    );
    expect((await rowsOf(root, `SELECT remediation_id, completed FROM remediation_completion ORDER BY 1`)).rows).toEqual([
      ['R1', '2007-07-25'],
      ['R3', '2007-06-09'],
    ]);
  });

  it('without git, or in a shallow clone, uses the fields alone and says so', async () => {
    const plain = tempKb({ 'postmortem.config.yaml': CONFIG, [pathOf(LB)]: incidentText(lb([rem('R3', 'done', '2007-06-10')])) });
    roots.push(plain);
    const none = await updateKnowledgeBase(captureContext(plain));
    expect([none.history.source, none.history.note]).toEqual([
      'no-git',
      "not in a git repository: remediation status and completion dates come from the records' fields alone",
    ]);
    const { root } = lbHistory();
    const clone = mkdtempSync(join(tmpdir(), 'pmkb-shallow-'));
    roots.push(clone);
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${root}`, clone], { stdio: 'ignore' });
    const shallow = await updateKnowledgeBase(captureContext(clone));
    expect(shallow.history.source).toBe('shallow');
    expect(shallow.history.note).toMatch(/^shallow git clone: history not read/);
    expect((await rowsOf(clone, 'SELECT remediation_id, completed, completed_from FROM remediation_completion')).rows).toEqual([
      ['R3', null, null],
    ]);
    const { fixes } = await runRecurrence(captureContext(clone), { show: 'fixes', format: 'json' });
    expect(fixes).toEqual([]);
  });

  it('tells a repository, its subfolder, one without commits and no repository apart', () => {
    const { root } = lbHistory();
    const head = git(root, ['rev-parse', 'HEAD']).trim();
    expect(repoState(root)).toEqual({ kind: 'git', head, prefix: '' });
    expect(repoState(join(root, 'incidents'))).toEqual({ kind: 'git', head, prefix: 'incidents/' });
    // through a symbolic link from outside: git looks up from where the link leads
    const outside = mkdtempSync(join(tmpdir(), 'pmkb-link-'));
    roots.push(outside);
    symlinkSync(join(root, 'incidents'), join(outside, 'kb'));
    expect(repoState(join(outside, 'kb'))).toEqual({ kind: 'git', head, prefix: 'incidents/' });
    const empty = mkdtempSync(join(tmpdir(), 'pmkb-empty-'));
    roots.push(empty);
    expect(repoState(empty)).toEqual({ kind: 'no-git' });
    execFileSync('git', ['init', '-q', empty], { stdio: 'ignore' });
    expect(repoState(empty)).toEqual({ kind: 'no-commits' });
  });
});

describe('recurrence: did the fix work?', () => {
  it('dates a fix by its completed field, else by the commit that marked it done, else by its due date (marked)', async () => {
    const root = tempKb({ 'postmortem.config.yaml': CONFIG });
    roots.push(root);
    const dst = (remediations: string[]) => incidentText({ ...DST, remediations, related: undefined });
    const later = {
      ...LB,
      id: '2007-04-02-again',
      started: '2007-04-02T10:00:00-04:00',
      detected: undefined,
      mitigated: undefined,
      resolved: '2007-04-02T11:00:00-04:00',
      remediations: [],
    };
    commitHistory(root, [
      {
        date: '2007-03-12T10:00:00-04:00',
        files: { [pathOf(DST)]: dst([rem('R1', 'open', '2007-03-20'), rem('R2', 'open', '2007-03-20'), rem('R3', 'open', '2007-03-25')]) },
      },
      // R1 done on 28 March (after its due date); R2 records its own completion date; R3 was done before the history began, as far as git knows
      {
        date: '2007-03-28T10:00:00-04:00',
        files: {
          [pathOf(DST)]: dst([
            rem('R1', 'done', '2007-03-20'),
            rem('R2', 'done', '2007-03-20', ', completed: 2007-03-15'),
            rem('R3', 'open', '2007-03-25'),
          ]),
        },
      },
      { date: '2007-04-03T10:00:00-04:00', files: { [pathOf(later)]: incidentText(later) } },
    ]);
    const { fixes } = await runRecurrence(captureContext(root), { show: 'fixes', format: 'json' });
    expect(fixes.map((f) => [f.remediation_id, f.done_by, f.done_from, f.failed_again_id, f.days_after])).toEqual([
      ['R1', '2007-03-28', 'git', '2007-04-02-again', 5],
      ['R2', '2007-03-15', 'field', '2007-04-02-again', 18],
    ]);
  });
});

describe('letter --as-of', () => {
  it("writes from the incident text of the day's last commit", async () => {
    const root = tempKb({ 'postmortem.config.yaml': CONFIG });
    roots.push(root);
    commitHistory(root, [
      { date: '2007-06-06T10:00:00-04:00', files: { [pathOf(LB)]: incidentText(lb([], { title: 'Webmail slow for an hour' })) } },
      {
        date: '2007-06-20T10:00:00-04:00',
        files: { [pathOf(LB)]: incidentText(lb([], { title: 'Webmail and POP unavailable after a load balancer overload' })) },
      },
    ]);
    const then = captureContext(root);
    const early = await runLetter(then, { ids: [LB.id], formats: ['md'], asOf: '2007-06-10', name: 'early' });
    expect(early.outcome.letter.subject).toContain('Webmail slow for an hour');
    expect(then.err_()).toMatch(/^note: as of 2007-06-10: incident text of commit [0-9a-f]{7} \(2007-06-06\)\n$/);
    const now = await runLetter(captureContext(root), { ids: [LB.id], formats: ['md'], name: 'late' });
    expect(now.outcome.letter.subject).toContain('Webmail and POP unavailable');
  });
});
