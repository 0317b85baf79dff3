import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { commitHistory, commitStep, git } from './helpers/git-history.js';
import { CONFIG, incidentText, LB, pathOf, type IncidentSpec } from './fixtures/db-kb.js';
import { updateKnowledgeBase } from '../src/db/knowledge-base.js';

const roots: string[] = [];
afterEach(() => { while (roots.length) removeKb(roots.pop()!); });

const rem = (id: string, status: string, due: string, extra = '') => `{id: ${id}, action: Action ${id}., type: prevent, owner: bill, due: ${due}, status: ${status}${extra}}`;
const lb = (remediations: string[], more: Partial<IncidentSpec> = {}): IncidentSpec => ({ ...LB, remediations, ...more });

/** A knowledge base whose incident went through three recorded versions in June and July 2007. */
function lbHistory() {
  const root = tempKb({ 'postmortem.config.yaml': CONFIG });
  roots.push(root);
  const path = pathOf(LB);
  const commits = commitHistory(root, [
    { date: '2007-06-06T10:00:00-04:00', files: { [path]: incidentText(lb([rem('R1', 'open', '2007-06-30'), rem('R3', 'open', '2007-06-10')])) } },
    { date: '2007-06-09T18:00:00-04:00', files: { [path]: incidentText(lb([rem('R1', 'in-progress', '2007-06-30'), rem('R3', 'done', '2007-06-10')])) } },
    { date: '2007-07-02T23:30:00-04:00', files: { [path]: incidentText(lb([rem('R1', 'open', '2007-07-31'), rem('R3', 'done', '2007-06-10')], { severity: 'SEV2' })) } },
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
    const { kb, rows } = await rowsOf(root, 'SELECT remediation_id, committed_date, field, old_value, new_value, commit_id FROM remediation_history ORDER BY position');
    expect(kb.history.source).toBe('git');
    expect(rows).toEqual([
      ['R1', '2007-06-06', 'status', null, 'open', commits[0]], ['R1', '2007-06-06', 'due', null, '2007-06-30', commits[0]],
      ['R1', '2007-06-06', 'owner', null, 'bill', commits[0]],
      ['R3', '2007-06-06', 'status', null, 'open', commits[0]], ['R3', '2007-06-06', 'due', null, '2007-06-10', commits[0]],
      ['R3', '2007-06-06', 'owner', null, 'bill', commits[0]],
      ['R1', '2007-06-09', 'status', 'open', 'in-progress', commits[1]],
      ['R3', '2007-06-09', 'status', 'open', 'done', commits[1]],
      ['R1', '2007-07-02', 'status', 'in-progress', 'open', commits[2]],
      ['R1', '2007-07-02', 'due', '2007-06-30', '2007-07-31', commits[2]],
    ]);
    const incident = await rowsOf(root, 'SELECT incident_id, committed_date, field, old_value, new_value FROM incident_history ORDER BY position');
    expect(incident.rows).toEqual([
      ['2007-06-04-lb', '2007-06-06', 'status', null, 'final'],
      ['2007-06-04-lb', '2007-06-06', 'severity', null, 'SEV1'],
      ['2007-06-04-lb', '2007-07-02', 'severity', 'SEV1', 'SEV2'],
    ]);
    const done = await rowsOf(root, 'SELECT remediation_id, completed, completed_from FROM remediation_completion');
    expect(done.rows).toEqual([['R3', '2007-06-09', 'git']]);
  });
});
