import pc from 'picocolors';
import { formatProblem, type Problem } from '../problems.js';
import type { CommandContext } from '../commands/context.js';

/** Prints problems one per line, `path:line:col: severity message [rule-id]`, the severity coloured on terminals. */
export function printProblems(ctx: Pick<CommandContext, 'stdout' | 'color'>, problems: readonly Problem[]): void {
  for (const p of problems) {
    let line = formatProblem(p);
    if (ctx.color) line = line.replace(` ${p.severity} `, ` ${p.severity === 'error' ? pc.red('error') : pc.yellow('warning')} `);
    ctx.stdout.write(`${line}\n`);
  }
}
