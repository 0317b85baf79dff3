import { headStamp } from '../history/git.js';

/**
 * The build stamp of the colophon and the PDF metadata: the knowledge base's last commit
 * (short hash and commit date), never the wall clock, so the same commit gives the same packet.
 */
export interface BuildStamp {
  commit?: string;
  date?: string;
  /** "commit 44b0548 of 2026-11-28" or "not in git". */
  text: string;
}

/** `inGit` false: the caller knows the root has no commit (not a repository, or none yet), so git is not asked. */
export function buildStamp(root: string, inGit = true): BuildStamp {
  const head = inGit ? headStamp(root) : undefined;
  return head ? { ...head, text: `commit ${head.commit} of ${head.date.slice(0, 10)}` } : { text: 'not in git' };
}
