import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Builds fixture git histories: each step writes (or, with null, deletes) files, renames
 * files, and commits with GIT_COMMITTER_DATE and GIT_AUTHOR_DATE set to the step's date,
 * so the history says what was recorded on which day years ago.
 */
export interface HistoryStep {
  /** ISO 8601 with offset, e.g. 2007-06-20T10:00:00-04:00. */
  date: string;
  files?: Record<string, string | null>;
  renames?: [from: string, to: string][];
  message?: string;
}

export function git(root: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', ['-C', root, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...env },
  });
}

export function initRepo(root: string): void {
  git(root, ['init', '-q', '-b', 'main']);
  git(root, ['config', 'user.name', 'Fixture']);
  git(root, ['config', 'user.email', 'fixture@example.com']);
  git(root, ['config', 'commit.gpgsign', 'false']);
  writeFileSync(join(root, '.gitignore'), 'out/\n'); // the build's output is not part of the record
}

export function commitStep(root: string, step: HistoryStep): string {
  for (const [from, to] of step.renames ?? []) {
    mkdirSync(dirname(join(root, to)), { recursive: true });
    renameSync(join(root, from), join(root, to));
  }
  for (const [path, content] of Object.entries(step.files ?? {})) {
    const full = join(root, path);
    if (content === null) rmSync(full, { force: true });
    else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '--allow-empty', '-m', step.message ?? `step of ${step.date}`], {
    GIT_COMMITTER_DATE: step.date,
    GIT_AUTHOR_DATE: step.date,
  });
  return git(root, ['rev-parse', 'HEAD']).trim();
}

/** Initialises `root` as a repository and commits every step in order; returns the commit ids. */
export function commitHistory(root: string, steps: readonly HistoryStep[]): string[] {
  initRepo(root);
  return steps.map((step) => commitStep(root, step));
}
