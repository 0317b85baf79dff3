import { spawnSync } from 'node:child_process';

/** The real binary, as a user runs it (built by `npm test` before vitest). */
export const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

/** Runs `postmortem ARGS` without colour; its exit code and both streams. */
export function runCli(args: string[], cwd?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
