/**
 * A located problem: the one message grammar every part of the tool reports in.
 * Printed as `path:line:col: severity message [rule-id]`.
 */
export type Severity = 'error' | 'warning';

export interface Problem {
  /** Path relative to the knowledge-base root, with forward slashes. */
  file: string;
  line: number;
  column: number;
  severity: Severity;
  ruleId: string;
  message: string;
}

export interface Position {
  line: number;
  column: number;
}

export function problem(file: string, at: Position, severity: Severity, ruleId: string, message: string): Problem {
  return { file, line: at.line, column: at.column, severity, ruleId, message };
}

export function compareProblems(a: Problem, b: Problem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(compareProblems);
}

/** Control characters (a newline in a file name) would split the one line a problem is: such a path is quoted. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function formatProblem(p: Problem): string {
  const file = CONTROL.test(p.file) ? JSON.stringify(p.file) : p.file;
  const message = CONTROL.test(p.message) ? JSON.stringify(p.message).slice(1, -1) : p.message;
  return `${file}:${p.line}:${p.column}: ${p.severity} ${message} [${p.ruleId}]`;
}

/** Problems as `check` prints them: one line each, every line ending in a newline ('' for none). */
export function formatProblems(problems: readonly Problem[]): string {
  let text = '';
  for (const p of problems) text += `${formatProblem(p)}\n`;
  return text;
}

export function countBySeverity(problems: readonly Problem[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const p of problems) {
    if (p.severity === 'error') errors++;
    else warnings++;
  }
  return { errors, warnings };
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
