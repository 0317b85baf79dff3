import { execFileSync } from 'node:child_process';

/**
 * The build stamp printed on the cover: the knowledge base's last commit (short hash and
 * commit date), never the wall clock, so the same commit gives the same packet.
 */
export interface BuildStamp {
  commit?: string;
  date?: string;
  /** "commit 44b0548 of 2026-11-28" or "not in git". */
  text: string;
}

export function buildStamp(root: string): BuildStamp {
  try {
    const out = execFileSync('git', ['-C', root, 'log', '-1', '--format=%h %cI'], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
    }).trim();
    const [commit, date] = out.split(' ');
    if (!commit || !date) return { text: 'not in git' };
    return { commit, date, text: `commit ${commit} of ${date.slice(0, 10)}` };
  } catch {
    return { text: 'not in git' };
  }
}
