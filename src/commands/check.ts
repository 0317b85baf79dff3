import { join } from 'node:path';
import { cachePathFor, DB_FILE } from '../db/cache-key.js';
import { checkFiles } from '../kb/check-files.js';
import { loadKnowledgeBase } from '../kb/load.js';
import { countBySeverity, type Problem } from '../problems.js';
import { printProblems } from '../output/problems.js';
import { parseWithoutCompiling } from '../schema/jit.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export interface CheckOptions {
  paths?: string[];
  format?: 'text' | 'json';
  strict?: boolean;
}

export interface CheckResult extends CommandResult {
  problems: Problem[];
  incidents: number;
}

export function summaryLine(problems: readonly Problem[], incidents: number, files: number): string {
  const { errors, warnings } = countBySeverity(problems);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (errors === 0 && warnings === 0) return `${plural(files, 'file')} checked: no problems.`;
  const withProblems = new Set(problems.map((p) => p.file)).size;
  return `${plural(files, 'file')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(withProblems, 'file')}; ${plural(incidents, 'valid incident')}.`;
}

/**
 * The problems of the files named (all of them by default): with named files, from the build's
 * caches in the output folder when it has them (`checkFiles`: only those files are read), else
 * by reading the whole knowledge base — the same problems either way.
 */
function checked(ctx: CommandContext, paths: string[] | undefined): { problems: Problem[]; incidents: number; checked: readonly string[] } {
  const options = { root: ctx.root, paths, now: ctx.now };
  const fast = paths?.length ? checkFiles({ ...options, paths }, cachePathFor(join(ctx.out, DB_FILE))) : undefined;
  if (fast) return fast;
  const kb = loadKnowledgeBase(options);
  return { problems: kb.problems, incidents: kb.incidents.length, checked: kb.checked };
}

/** `postmortem check`: every problem of every file, located, sorted, then a summary. */
export function runCheck(ctx: CommandContext, options: CheckOptions = {}): CheckResult {
  const kb = checked(ctx, options.paths);
  const { problems } = kb;
  const { errors, warnings } = countBySeverity(problems);
  if (options.format === 'json') {
    ctx.stdout.write(`${JSON.stringify(problems, null, 2)}\n`);
  } else {
    printProblems(ctx, problems);
    ctx.stdout.write(`${summaryLine(problems, kb.incidents, kb.checked.length)}\n`);
  }
  const exitCode = errors > 0 || (options.strict && warnings > 0) ? 1 : 0;
  return { exitCode, problems, incidents: kb.incidents };
}

export const checkCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'Files or folders to check (default: incidents/)' })
      .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output format' })
      .option('strict', { type: 'boolean', default: false, describe: 'Exit 1 on warnings too' }),
  handler: (argv) => {
    // named files: a few are validated (the build's caches answer for the rest)
    if ((argv.paths as string[] | undefined)?.length) parseWithoutCompiling();
    env.finish(
      runCheck(env.context(argv), {
        paths: argv.paths as string[] | undefined,
        format: argv.format as 'text' | 'json',
        strict: argv.strict as boolean,
      }),
    );
  },
});
