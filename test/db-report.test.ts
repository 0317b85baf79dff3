import { describe, expect, it } from 'vitest';
import { keptInMemory, reportOf, type KeptReport, type Report } from '../src/db/report.js';
import { countBySeverity, formatProblems, problem, sortProblems, type Problem } from '../src/problems.js';

/** The report put together file by file (and copied from the kept report) is the report of all problems sorted, byte for byte. */
const A = 'incidents/2007/2007-06-01-a.md';
const B = 'incidents/2007/2007-06-02-b.md';
const C = 'incidents/2007/2007-06-03-c.md';
const D = 'incidents/2007/2007-06-04-dé.md';
const at = (line: number, column = 1) => ({ line, column });

type State = { byFile: Record<string, Problem[]>; digests: Record<string, string>; others: Problem[]; context?: string };

/** The report of `state`, from `kept` when given; `asked` collects the files whose problems were read. */
function build(state: State, kept?: KeptReport, asked: string[] = []): Report {
  const files = Object.keys(state.byFile).sort();
  return reportOf({
    files,
    digestOf: (file) => state.digests[file] ?? 'd0',
    context: state.context ?? 'ctx-1',
    problemsOf: (wanted) => {
      asked.push(...wanted);
      return new Map(wanted.map((f) => [f, state.byFile[f]!]));
    },
    others: state.others,
    kept,
  });
}

function expectSameAsSorted(report: Report, state: State) {
  const all = sortProblems([...Object.values(state.byFile).flat(), ...state.others]);
  expect(Buffer.from(report.bytes).toString()).toBe(formatProblems(all));
  expect({ errors: report.errors, warnings: report.warnings }).toEqual(countBySeverity(all));
}

const perFile = {
  [A]: [problem(A, at(9), 'warning', 'service-display-name', 'z'), problem(A, at(3), 'error', 'required-field', 'title')],
  [B]: [],
  [C]: [problem(C, at(4, 2), 'warning', 'remediation-overdue', 'R1'), problem(C, at(4, 1), 'warning', 'remediation-overdue', 'R2')],
  [D]: [problem(D, at(2), 'warning', 'unknown-service', 'non-ASCII: ✓ “quoted”')],
};
const crossFile = [
  problem(C, at(4, 1), 'error', 'duplicate-id', 'also in A'),
  problem(B, at(2), 'error', 'related-exists', 'no such incident'),
  problem('postmortem.config.yaml', at(1), 'warning', 'unknown-field', 'x'),
  problem('incidents/2006', at(1), 'error', 'scan', 'a symbolic link'),
];
const start: State = { byFile: perFile, digests: {}, others: [] };

describe('the report put together file by file', () => {
  it('keeps the per-file order and counts', () => expectSameAsSorted(build(start), start));

  it('merges cross-file problems into the files they name, and the config and scan problems in file order', () => {
    const state = { ...start, others: crossFile };
    expectSameAsSorted(build(state), state);
  });

  it('sorts everything together when a check holds a problem of another file, and keeps no index', () => {
    const state = { ...start, byFile: { ...perFile, [B]: [problem(A, at(1), 'warning', 'unknown-field', 'y')] }, others: crossFile };
    const report = build(state);
    expectSameAsSorted(report, state);
    expect(report.parts).toBe('');
  });
});

describe('the report after an edit, copied from the kept report', () => {
  const edits: [string, State][] = [
    ['one file edited', { ...start, byFile: { ...perFile, [C]: [problem(C, at(1), 'warning', 'x', 'edited')] }, digests: { [C]: 'd1' } }],
    [
      'a file with no problems gets one',
      { ...start, byFile: { ...perFile, [B]: [problem(B, at(7), 'error', 'y', 'new')] }, digests: { [B]: 'd1' } },
    ],
    ['cross-file problems come', { ...start, others: crossFile }],
    ['a file added, one removed', { ...start, byFile: { [A]: perFile[A], [B]: [], [C]: perFile[C], 'incidents/2008/x.md': [] } }],
    [
      "a file added whose name begins with another's (the index's names compared in place)",
      { ...start, byFile: { ...perFile, [`${A}.md`]: [problem(`${A}.md`, at(1), 'warning', 'x', 'y')], [`${D}é`]: [] } },
    ],
  ];

  it.each(edits)('%s: the same bytes as from scratch; only the changed files are read', (_, edited) => {
    const kept = build(start);
    const asked: string[] = [];
    const report = build(edited, keptInMemory(kept.bytes, kept.parts), asked);
    expectSameAsSorted(report, edited);
    const changed = Object.keys(edited.byFile).filter(
      (f) => edited.digests[f] !== undefined || !(f in start.byFile) || edited.others.some((p) => p.file === f),
    );
    expect(asked.sort()).toEqual(changed.sort());
    // and back again, from the edited report
    const back = build(start, keptInMemory(report.bytes, report.parts));
    expectSameAsSorted(back, start);
    expect(back.parts).toBe(kept.parts);
  });

  it('reads every file again when the kept report is of another context', () => {
    const kept = build(start);
    const asked: string[] = [];
    expectSameAsSorted(build({ ...start, context: 'ctx-2' }, keptInMemory(kept.bytes, kept.parts), asked), start);
    expect(asked.sort()).toEqual(Object.keys(perFile).sort());
  });

  it('does not use a damaged index or report (the files are read instead), and does not fail', () => {
    const kept = build(start);
    const index = JSON.parse(kept.parts) as { files: string; digests: string; starts: number[]; ends: number[]; pure: number[] };
    const names = index.files.split('\u0000');
    const variant = (change: Partial<typeof index>) => keptInMemory(kept.bytes, JSON.stringify({ ...index, ...change }));
    const damaged: KeptReport[] = [
      // a run's end changed: the next run no longer starts there
      variant({ ends: [index.ends[0]! - 1, ...index.ends.slice(1)] }),
      // a run's start changed
      variant({ starts: [index.starts[0]!, index.starts[1]! + 1, ...index.starts.slice(2)] }),
      // the runs' files out of order (their bytes would be copied as another file's)
      variant({ files: [names[1], names[0], ...names.slice(2)].join('\u0000') }),
      // a file twice, one missing
      variant({ files: [names[0], ...names.slice(0, -1)].join('\u0000') }),
      // a run ending before it starts
      variant({ ends: [index.ends[1]! + 1, ...index.ends.slice(1)] }),
      // a column of another length
      variant({ ends: index.ends.slice(1) }),
      variant({ starts: undefined }),
      variant({ digests: index.digests.split('\u0000').slice(1).join('\u0000') }),
      variant({ pure: index.pure.map(() => 2) }),
      keptInMemory(kept.bytes, kept.parts.slice(0, 40)),
      keptInMemory(kept.bytes, 'null'),
      // the index of an earlier version (a run per file as an array)
      keptInMemory(kept.bytes, '{"context":"ctx-1","runs":[["a"]]}'),
      keptInMemory(kept.bytes.subarray(0, kept.bytes.length - 1), kept.parts),
    ];
    for (const bad of damaged) {
      const asked: string[] = [];
      expectSameAsSorted(build(start, bad, asked), start);
      expect(asked.length).toBe(Object.keys(perFile).length);
    }
    // the control: the index as it was, written again, is used (none of the files read)
    const asked: string[] = [];
    expectSameAsSorted(build(start, variant({}), asked), start);
    expect(asked).toEqual([]);
  });

  it('is not put together when nothing about it changed (the same lines), and is then the kept bytes', () => {
    const kept = build(start);
    // a file edited, its lines the same (a new title): read, compared with the kept lines, not copied
    const retitled = { ...start, digests: { [C]: 'd1' } };
    const copies: [number, number][] = [];
    const watched: KeptReport = {
      ...keptInMemory(kept.bytes, kept.parts),
      copyTo: (target, at, from, to) => {
        copies.push([from, to]);
        target.set(kept.bytes.subarray(from, to), at);
      },
    };
    const report = build(retitled, watched);
    expect(report.same).toBe(true);
    expect(copies.every(([from, to]) => Buffer.from(kept.bytes.subarray(from, to)).toString().startsWith(C))).toBe(true);
    expectSameAsSorted(report, retitled);
    expect(report.parts).not.toBe(kept.parts); // the edited file's digest
    expect(build(start, keptInMemory(report.bytes, report.parts)).parts).toBe(kept.parts);
  });

  it.each([
    [
      'a line changed',
      {
        ...start,
        byFile: { ...perFile, [C]: [problem(C, at(4, 2), 'warning', 'remediation-overdue', 'R9'), perFile[C][1]!] },
        digests: { [C]: 'd1' },
      },
    ],
    ['a line added', { ...start, byFile: { ...perFile, [B]: [problem(B, at(7), 'error', 'y', 'new')] }, digests: { [B]: 'd1' } }],
    ['a file removed with its lines', { ...start, byFile: { [A]: perFile[A], [B]: perFile[B], [D]: perFile[D] } }],
  ] as [string, State][])('is not the kept report when %s', (_, edited) => {
    const kept = build(start);
    const report = build(edited, keptInMemory(kept.bytes, kept.parts));
    expect(report.same).toBe(false);
    expectSameAsSorted(report, edited);
  });
});
