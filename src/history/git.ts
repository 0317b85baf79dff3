import { execFileSync } from 'node:child_process';
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { INCIDENTS_DIR } from '../kb/files.js';

/**
 * The knowledge base's git history, read with the `git` binary (never by parsing objects):
 * `git log --first-parent -z --name-status -M` for what changed, `git cat-file --batch` for
 * file versions. Every call runs in the knowledge-base root, with paths relative to it.
 */

const ENV: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' };

function git(root: string, args: string[], input?: string): Buffer {
  return execFileSync('git', ['-C', root, ...args], {
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'ignore'],
    env: ENV,
    maxBuffer: 1 << 30,
    timeout: 300_000,
  });
}

/** Whether the root's history can be read: `git` when it can, else why not. */
export type RepoState = { kind: 'git'; head: string; prefix: string } | { kind: 'no-git' | 'shallow' | 'no-commits' };

/**
 * One `git rev-parse` (every build asks): the work-tree, shallow and prefix lines come before
 * HEAD's commit, which is missing (exit 1, the lines still printed) when there are no commits.
 */
export function repoState(root: string): RepoState {
  if (!mayBeInWorkTree(root)) return { kind: 'no-git' };
  let out: string;
  try {
    out = git(root, [
      'rev-parse',
      '--is-inside-work-tree',
      '--is-shallow-repository',
      '--show-prefix',
      '--verify',
      '-q',
      'HEAD^{commit}',
    ]).toString('utf8');
  } catch (error) {
    out = (error as { stdout?: Buffer }).stdout?.toString('utf8') ?? '';
  }
  const [inside, shallow, prefix, head] = out.split('\n');
  if (inside !== 'true') return { kind: 'no-git' };
  if (shallow === 'true') return { kind: 'shallow' };
  return head ? { kind: 'git', head, prefix: prefix ?? '' } : { kind: 'no-commits' };
}

/**
 * False when git cannot find a work tree from `root`, so that a knowledge base outside any
 * repository costs no process: no folder from `root` (as git sees it, symbolic links resolved)
 * up to the file system's root has an entry named `.git`, and no environment variable names
 * a repository. (A bare repository on the way is no work tree either.) True when unsure.
 */
function mayBeInWorkTree(root: string): boolean {
  if (ENV.GIT_DIR || ENV.GIT_WORK_TREE || ENV.GIT_COMMON_DIR) return true;
  try {
    for (let dir = realpathSync(root); ; dir = dirname(dir)) {
      if (lstatSync(join(dir, '.git'), { throwIfNoEntry: false })) return true;
      if (dirname(dir) === dir) return false;
    }
  } catch {
    return true; // a folder that cannot be read: git says
  }
}

/** True when `ancestor` is HEAD or one of its ancestors (false when it no longer exists). */
export function isAncestor(root: string, ancestor: string, head: string): boolean {
  try {
    git(root, ['merge-base', '--is-ancestor', ancestor, head]);
    return true;
  } catch {
    return false;
  }
}

export interface Change {
  /** A added, M modified, D deleted, R renamed (from `from` to `path`), T type changed. */
  kind: 'A' | 'M' | 'D' | 'R' | 'T';
  path: string;
  from?: string;
}

export interface Commit {
  id: string;
  /** Committer date, ISO 8601 with the committer's offset. */
  committedAt: string;
  changes: Change[];
}

/**
 * Commits on the first-parent line of HEAD (after `since`, when given) that touched
 * `incidents/`, oldest first, with their changes (renames followed).
 */
export function firstParentLog(root: string, head: string, since?: string): Commit[] {
  const range = since ? `${since}..${head}` : head;
  const out = git(root, [
    'log',
    '--first-parent',
    '--diff-merges=first-parent',
    '--reverse',
    '--relative',
    '-M',
    '--name-status',
    '-z',
    '--format=%x1e%H %cI',
    range,
    '--',
    INCIDENTS_DIR,
  ]).toString('utf8');
  const commits: Commit[] = [];
  for (const chunk of out.split('\x1e')) {
    if (!chunk) continue;
    const tokens = chunk.split('\0');
    const [id, committedAt] = tokens[0]!.split(' ') as [string, string];
    const changes: Change[] = [];
    for (let i = 1; i < tokens.length; i++) {
      const status = tokens[i]!.replace(/^\n/, '');
      if (!status) continue;
      const kind = status[0] as Change['kind'] | 'C' | 'U' | 'X';
      if (kind === 'R' || kind === 'C') {
        const from = tokens[++i]!;
        const path = tokens[++i]!;
        changes.push(kind === 'R' ? { kind: 'R', path, from } : { kind: 'A', path });
      } else if (kind === 'A' || kind === 'M' || kind === 'D' || kind === 'T') {
        changes.push({ kind, path: tokens[++i]! });
      } else {
        i++;
      }
    }
    commits.push({ id, committedAt, changes });
  }
  return commits;
}

/**
 * The contents of `commit:path` for each request, in order (undefined when missing), in one
 * `git cat-file --batch` process. Paths are relative to the knowledge-base root (`prefix`).
 */
export function readBlobs(root: string, prefix: string, requests: readonly { commit: string; path: string }[]): (Buffer | undefined)[] {
  if (requests.length === 0) return [];
  const input = requests.map((r) => `${r.commit}:${prefix}${r.path}\n`).join('');
  const out = git(root, ['cat-file', '--batch'], input);
  const blobs: (Buffer | undefined)[] = [];
  let at = 0;
  for (let n = 0; n < requests.length; n++) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString('utf8');
    at = eol + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m) {
      blobs.push(undefined); // "<name> missing"
      continue;
    }
    const size = Number(m[2]);
    blobs.push(m[1] === 'blob' ? out.subarray(at, at + size) : undefined);
    at += size + 1;
  }
  return blobs;
}

/** Incident files at a commit (paths relative to the root), sorted. */
export function filesAt(root: string, commit: string): string[] {
  const out = git(root, ['ls-tree', '-r', '-z', '--name-only', commit, '--', INCIDENTS_DIR]).toString('utf8');
  return out
    .split('\0')
    .filter((p) => p.toLowerCase().endsWith('.md'))
    .sort();
}

/** The last first-parent commit of HEAD committed at or before `instant` (ISO 8601), if any. */
export function lastCommitBefore(root: string, head: string, instant: string): { id: string; committedAt: string } | undefined {
  const out = git(root, ['log', '--first-parent', '-1', `--before=${instant}`, '--format=%H %cI', head])
    .toString('utf8')
    .trim();
  if (!out) return undefined;
  const [id, committedAt] = out.split(' ') as [string, string];
  return { id, committedAt };
}

/** The short hash and committer date of HEAD, for build stamps. */
export function headStamp(root: string): { commit: string; date: string } | undefined {
  try {
    const [commit, date] = git(root, ['log', '-1', '--format=%h %cI']).toString('utf8').trim().split(' ');
    return commit && date ? { commit, date } : undefined;
  } catch {
    return undefined;
  }
}

/** The commit a ref (commit id, tag, branch) names, and its committer date; undefined when it names none. */
export function resolveRef(root: string, ref: string): { id: string; committedAt: string } | undefined {
  if (ref.startsWith('-')) return undefined;
  try {
    const out = git(root, ['log', '-1', '--format=%H %cI', `${ref}^{commit}`, '--'])
      .toString('utf8')
      .trim();
    const [id, committedAt] = out.split(' ');
    return id && committedAt ? { id, committedAt } : undefined;
  } catch {
    return undefined;
  }
}
