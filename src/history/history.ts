import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  /** The recorded changes, oldest first (read from the cache file only when asked for). */
  rows(): HistoryRow[];
  /** Versions left out (invalid at that commit), as located warnings. */
  problems: Problem[];
  /** Commits read by this call (0 when nothing new). */
  read: number;
  /** Identifies what the rows were read from (`git/<last commit that changed incidents/>`): a commit elsewhere keeps it. */
  key: string;
}

/** What is kept between builds: a small file (what was read) and a large one (the walk's state and rows). */
interface Summary {
  key: string;
  head: string;
  /** The last commit read that changed incidents/ (the rows change only with it). */
  tip: string | null;
  problems: Problem[];
}

interface Walked {
  state: WalkState;
  rows: HistoryRow[];
}

export function historyPathFor(cachePath: string): string {
  return `${cachePath}.history.json`;
}

const walkedPath = (path: string) => path.replace(/\.json$/, '-rows.json');

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeJson(path: string, value: unknown): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(value));
    renameSync(temp, path);
  } catch {
    rmSync(temp, { force: true }); // the next build reads the history again
  }
}

export const NO_HISTORY_NOTES: Record<Exclude<RepoState['kind'], 'git'>, string> = {
  'no-git': "not in a git repository: remediation status and completion dates come from the records' fields alone",
  shallow:
    'shallow git clone: history not read, so remediation status and completion dates come from the records\' fields alone (run "git fetch --unshallow" to use it)',
  'no-commits': "no commits yet: remediation status and completion dates come from the records' fields alone",
};

/** Reads what is new in the history of `root` (see above). `contextKey` names the tool, schema and config versions. */
export function updateHistory(root: string, config: Config, contextKey: string, path: string): History {
  const repo = repoState(root);
  if (repo.kind !== 'git') {
    return { source: repo.kind, note: NO_HISTORY_NOTES[repo.kind], rows: () => [], problems: [], read: 0, key: repo.kind };
  }
  const summary = readJson<Summary>(path);
  const stored = summary?.key === contextKey && existsSync(walkedPath(path)) ? summary : undefined;
  const keyOf = (tip: string | null) => `git/${tip ?? 'none'}`;
  if (stored?.head === repo.head) {
    const rows = () => readJson<Walked>(walkedPath(path))?.rows ?? [];
    return { source: 'git', head: repo.head, rows, problems: stored.problems, read: 0, key: keyOf(stored.tip) };
  }
  const continues = stored !== undefined && isAncestor(root, stored.head, repo.head);
  const previous = continues ? readJson<Walked>(walkedPath(path)) : undefined;
  const walked: Walked = previous ?? { state: emptyWalkState(), rows: [] };
  const commits = firstParentLog(root, repo.head, previous ? stored!.head : undefined);
  const added = walkCommits(walked.state, commits, { config, read: (requests) => readBlobs(root, repo.prefix, requests) });
  for (const row of added.rows) walked.rows.push(row); // not push(...rows): a first read has too many for the call stack
  const tip = commits.length ? commits[commits.length - 1]!.id : previous ? stored!.tip : null;
  const problems = [...(previous ? stored!.problems : []), ...added.problems];
  writeJson(walkedPath(path), walked);
  writeJson(path, { key: contextKey, head: repo.head, tip, problems } satisfies Summary);
  const note =
    stored !== undefined && !continues
      ? `git history rewritten (commit ${stored.head.slice(0, 7)} is no longer an ancestor of HEAD): read again from the start`
      : undefined;
  return { source: 'git', head: repo.head, note, rows: () => walked.rows, problems, read: commits.length, key: keyOf(tip) };
}
