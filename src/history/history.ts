import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Config } from '../schema/config.js';
import type { Problem } from '../problems.js';
import { firstParentLog, isAncestor, readBlobs, repoState, type RepoState } from './git.js';
import { emptyWalkState, walkCommits, type HistoryRow, type WalkState } from './walk.js';

/**
 * The knowledge base's history, brought up to date incrementally: the walk's state and rows
 * are kept in a file next to the database, keyed by the last commit read; a build reads only
 * the commits after it, and reads everything again when that commit is no longer an ancestor
 * of HEAD (history rewritten) or when the tool, schema or config changed.
 */

export interface History {
  /** `git` when read; otherwise why the tool uses the records' fields alone. */
  source: RepoState['kind'];
  /** HEAD when read from git. */
  head?: string;
  /** What to tell the user once (no git, shallow clone, history rewritten). */
  note?: string;
  rows: HistoryRow[];
  /** Versions left out (invalid at that commit), as located warnings. */
  problems: Problem[];
  /** Commits read by this call (0 when nothing new). */
  read: number;
  /** Identifies what the rows were read from: changes whenever they may. */
  key: string;
}

interface Stored {
  key: string;
  head: string;
  state: WalkState;
  rows: HistoryRow[];
  problems: Problem[];
}

export function historyPathFor(cachePath: string): string {
  return `${cachePath}.history.json`;
}

function load(path: string, key: string): Stored | undefined {
  try {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Stored;
    return stored.key === key ? stored : undefined;
  } catch {
    return undefined;
  }
}

function save(path: string, stored: Stored): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(stored));
    renameSync(temp, path);
  } catch {
    rmSync(temp, { force: true }); // the next build reads the history again
  }
}

export const NO_HISTORY_NOTES: Record<Exclude<RepoState['kind'], 'git'>, string> = {
  'no-git': 'not in a git repository: remediation status and completion dates come from the records\' fields alone',
  shallow: 'shallow git clone: history not read, so remediation status and completion dates come from the records\' fields alone (run "git fetch --unshallow" to use it)',
  'no-commits': 'no commits yet: remediation status and completion dates come from the records\' fields alone',
};

/** Reads what is new in the history of `root` (see above). `contextKey` names the tool, schema and config versions. */
export function updateHistory(root: string, config: Config, contextKey: string, path: string): History {
  const repo = repoState(root);
  if (repo.kind !== 'git') {
    return { source: repo.kind, note: NO_HISTORY_NOTES[repo.kind], rows: [], problems: [], read: 0, key: repo.kind };
  }
  const stored = load(path, contextKey);
  const key = `git/${repo.head}`;
  if (stored?.head === repo.head) return { source: 'git', head: repo.head, rows: stored.rows, problems: stored.problems, read: 0, key };
  const continues = stored !== undefined && isAncestor(root, stored.head, repo.head);
  const base: Stored = continues ? stored : { key: contextKey, head: repo.head, state: emptyWalkState(), rows: [], problems: [] };
  const commits = firstParentLog(root, repo.head, continues ? stored.head : undefined);
  const walked = walkCommits(base.state, commits, {
    config,
    read: (requests) => readBlobs(root, repo.prefix, requests),
  });
  const next: Stored = { key: contextKey, head: repo.head, state: base.state, rows: [...base.rows, ...walked.rows], problems: [...base.problems, ...walked.problems] };
  save(path, next);
  const note = stored !== undefined && !continues
    ? `git history rewritten (commit ${stored.head.slice(0, 7)} is no longer an ancestor of HEAD): read again from the start`
    : undefined;
  return { source: 'git', head: repo.head, note, rows: next.rows, problems: next.problems, read: commits.length, key };
}
