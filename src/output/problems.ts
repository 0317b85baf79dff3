import pc from 'picocolors';
import { formatProblem, formatProblems, type Problem } from '../problems.js';
import type { CommandContext } from '../commands/context.js';

/**
 * Prints problems one per line, `path:line:col: severity message [rule-id]`, the severity
 * coloured on terminals. Without colour, in one write (20,000 writes of a line each cost more
 * than formatting them).
 */
export function printProblems(ctx: Pick<CommandContext, 'stdout' | 'color'>, problems: readonly Problem[]): void {
  if (!ctx.color) {
    if (problems.length > 0) ctx.stdout.write(formatProblems(problems));
    return;
  }
  for (const p of problems) {
    const line = formatProblem(p).replace(` ${p.severity} `, ` ${p.severity === 'error' ? pc.red('error') : pc.yellow('warning')} `);
    ctx.stdout.write(`${line}\n`);
  }
}
