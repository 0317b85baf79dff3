import { relative } from 'node:path';
import { BUILD_STEPS } from '../build/steps.js';
import { updateKnowledgeBase, type BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { countBySeverity, type Problem } from '../problems.js';
import { printProblems } from '../output/problems.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export interface BuildOptions {
  /** Database path (default `<out>/postmortems.db`). */
  db?: string;
}

export interface BuildResult extends CommandResult {
  kb: BuiltKnowledgeBase;
  problems: Problem[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The line that says what happened to the database. */
export function databaseLine(kb: BuiltKnowledgeBase, shownPath: string, incidents: number): string {
  if (!kb.rebuilt) return `Database ${shownPath} is up to date (${plural(incidents, 'incident')}).`;
  const { added, changed, removed } = kb.changed;
  return `Database ${shownPath}: ${plural(incidents, 'incident')} (${added.length} added, ${changed.length} changed, ${removed.length} removed; ${plural(kb.parsed, 'file')} parsed).`;
}

/** The line that says where remediation history comes from (said once, by the build). */
export function historyLine(kb: BuiltKnowledgeBase): string {
  const { history } = kb;
  if (history.source !== 'git') return `History: ${history.note}.`;
  const read = history.read ? `${plural(history.read, 'new commit')} read` : 'no new commit';
  return `History: from git (${read}${history.note ? `; ${history.note}` : ''}).`;
}

/** `postmortem build`: the database, then every registered build step (documents, site). */
export async function runBuild(ctx: CommandContext, options: BuildOptions = {}): Promise<BuildResult> {
  const kb = await updateKnowledgeBase(ctx, { dbPath: options.db });
  // The database's problems as the build kept them, in one write (read as objects only for colour).
  if (ctx.color) printProblems(ctx, kb.problems);
  else kb.report.writeTo(ctx.stdout);
  const problems = [...kb.history.problems];
  printProblems(ctx, kb.history.problems);
  const db = kb.openDb();
  let count: number;
  try {
    count = db.prepare('SELECT count(*) FROM incidents').pluck().get() as number;
  } finally {
    db.close();
  }
  const shown = relative(process.cwd(), kb.dbPath) || kb.dbPath;
  ctx.stdout.write(`${databaseLine(kb, shown.split('\\').join('/'), count)}\n`);
  ctx.stdout.write(`${historyLine(kb)}\n`);
  for (const step of BUILD_STEPS) {
    const result = await step.run(ctx, kb);
    printProblems(ctx, result.problems);
    problems.push(...result.problems);
    for (const note of result.notes) ctx.stdout.write(`${step.name}: ${note}\n`);
    ctx.stdout.write(`${step.name}: ${plural(result.written.length, 'file')} written, ${result.unchanged} unchanged.\n`);
  }
  const counted = countBySeverity(problems);
  const errors = kb.report.errors + counted.errors;
  const warnings = kb.report.warnings + counted.warnings;
  if (errors > 0 || warnings > 0) {
    ctx.stdout.write(
      `${plural(errors, 'error')}, ${plural(warnings, 'warning')}${errors > 0 ? '; files with errors were left out' : ''}.\n`,
    );
  }
  return {
    exitCode: errors > 0 ? 1 : 0,
    kb,
    get problems() {
      return [...kb.problems, ...problems];
    },
  };
}

export const buildCommand = (env: CliEnv): CommandBody => ({
  builder: (y) => y.option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(await runBuild(env.context(argv), { db: argv.db as string | undefined }));
  },
});
