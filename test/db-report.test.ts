import { describe, expect, it } from 'vitest';
import type { FileCheck } from '../src/db/cache.js';
import { reportOf, segmentOf } from '../src/db/report.js';
import { countBySeverity, formatProblems, problem, sortProblems, type Problem } from '../src/problems.js';

/** The report put together from kept per-file segments is the report of all problems sorted, byte for byte. */
const A = 'incidents/2007/2007-06-01-a.md';
const B = 'incidents/2007/2007-06-02-b.md';
const C = 'incidents/2007/2007-06-03-c.md';
const at = (line: number, column = 1) => ({ line, column });

function checksOf(byFile: Record<string, Problem[]>, kept: boolean) {
  const checks = new Map<string, { check: FileCheck }>();
  for (const [file, problems] of Object.entries(byFile)) {
    const check: FileCheck = { problems, valid: true, frontmatterLine: 1 };
    if (kept) check.segment = segmentOf(file, problems);
    checks.set(file, { check });
  }
  return checks;
}

function expectSameAsSorted(byFile: Record<string, Problem[]>, others: Problem[]) {
  const all = sortProblems([...Object.values(byFile).flat(), ...others]);
  for (const kept of [true, false]) {
    const report = reportOf(Object.keys(byFile), checksOf(byFile, kept), others);
    expect(report.text).toBe(formatProblems(all));
    expect({ errors: report.errors, warnings: report.warnings }).toEqual(countBySeverity(all));
  }
}

describe('the report from kept segments', () => {
  const perFile = {
    [A]: [problem(A, at(9), 'warning', 'service-display-name', 'z'), problem(A, at(3), 'error', 'required-field', 'title')],
    [B]: [],
    [C]: [problem(C, at(4, 2), 'warning', 'remediation-overdue', 'R1'), problem(C, at(4, 1), 'warning', 'remediation-overdue', 'R2')],
  };

  it('keeps the per-file order and counts', () => expectSameAsSorted(perFile, []));

  it('merges cross-file problems into the files they name, and the config and scan problems in file order', () =>
    expectSameAsSorted(perFile, [
      problem(C, at(4, 1), 'error', 'duplicate-id', 'also in A'),
      problem(B, at(2), 'error', 'related-exists', 'no such incident'),
      problem('postmortem.config.yaml', at(1), 'warning', 'unknown-field', 'x'),
      problem('incidents/2006', at(1), 'error', 'scan', 'a symbolic link'),
    ]));

  it('sorts everything together when a check holds a problem of another file', () => {
    const foreign = { ...perFile, [B]: [problem(A, at(1), 'warning', 'unknown-field', 'y')] };
    expect(segmentOf(B, foreign[B])).toBeUndefined();
    expectSameAsSorted(foreign, [problem(C, at(1), 'error', 'duplicate-id', 'again')]);
  });
});
