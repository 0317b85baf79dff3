import { compareProblems, countBySeverity, formatProblems, sortProblems, type Problem } from '../problems.js';
import type { FileCheck } from './cache.js';

/**
 * A file's per-file problems as printed (sorted, one line each) with their counts: kept with
 * its check, so that after one edit the report is put together from 10,000 kept segments and
 * only the files with other problems (cross-file, scan, config) are sorted and formatted again.
 */
export interface Segment {
  text: string;
  errors: number;
  warnings: number;
}

/** The segment of a check whose problems are all its own file's (else none: they are sorted with the others). */
export function segmentOf(file: string, problems: readonly Problem[]): Segment | undefined {
  let errors = 0;
  for (const p of problems) {
    if (p.file !== file) return undefined;
    if (p.severity === 'error') errors++;
  }
  return { text: formatProblems(sortProblems(problems)), errors, warnings: problems.length - errors };
}

/**
 * The report of every problem, exactly as `formatProblems(sortProblems(all))` prints it, where
 * all = each file's check problems + `others`: the problems are sorted by file first, so a file
 * that has no other problem contributes its kept segment as it is.
 */
export function reportOf(
  files: readonly string[],
  checks: ReadonlyMap<string, { check: FileCheck }>,
  others: readonly Problem[],
): { text: string; errors: number; warnings: number } {
  const extra = new Map<string, Problem[]>();
  for (const p of others) {
    const list = extra.get(p.file);
    if (list) list.push(p);
    else extra.set(p.file, [p]);
  }
  const parts: [file: string, segment: Segment][] = [];
  const loose: Problem[] = [];
  for (const file of files) {
    const { check } = checks.get(file)!;
    if (extra.has(file)) {
      loose.push(...check.problems);
      continue;
    }
    const segment = check.segment ?? segmentOf(file, check.problems);
    // a problem of another file (none is made so): sorted with all the others
    if (!segment) return counted(allProblems(files, checks, others));
    parts.push([file, segment]);
  }
  for (const list of extra.values()) loose.push(...list);
  const byFile = new Map<string, Problem[]>();
  for (const p of loose) {
    const list = byFile.get(p.file);
    if (list) list.push(p);
    else byFile.set(p.file, [p]);
  }
  for (const [file, list] of byFile) parts.push([file, segmentOf(file, list)!]);
  parts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let errors = 0;
  let warnings = 0;
  const texts: string[] = [];
  for (const [, segment] of parts) {
    texts.push(segment.text);
    errors += segment.errors;
    warnings += segment.warnings;
  }
  return { text: texts.join(''), errors, warnings };
}

function counted(problems: readonly Problem[]): { text: string; errors: number; warnings: number } {
  return { text: formatProblems(problems), ...countBySeverity(problems) };
}

/** Every problem, sorted (what `check` reports): made only when asked for. */
export function allProblems(
  files: readonly string[],
  checks: ReadonlyMap<string, { check: FileCheck }>,
  others: readonly Problem[],
): Problem[] {
  const all: Problem[] = [...others];
  for (const file of files) all.push(...checks.get(file)!.check.problems);
  return all.sort(compareProblems);
}
