import type Database from 'better-sqlite3';
import type { Argv } from 'yargs';
import { knowledgeBaseAsOf, parseAsOf } from '../history/as-of.js';
import { UserError, type CommandContext, type CommandResult } from '../commands/context.js';
import { countBySeverity } from '../problems.js';
import { formatJsonError, type RowFormat } from '../output/rows.js';
import { QueryError } from './errors.js';
import { updateKnowledgeBase, type BuiltKnowledgeBase } from './knowledge-base.js';

export interface QueryCommandOptions {
  format?: RowFormat;
  /** Database path (`--db`). */
  db?: string;
  /** `--as-of YYYY-MM-DD`: query the knowledge base as it stood at the end of that day. */
  asOf?: string;
}

/** The `--as-of` option of the commands that can look back (actions, stats, recurrence, packet, letter). */
export function withAsOfOption<T>(y: Argv<T>) {
  return y.option('as-of', {
    type: 'string',
    describe:
      "Evaluate as the knowledge base stood at the end of this day (YYYY-MM-DD): the incident text of its last commit, else the records' own dates",
  });
}

/**
 * What every query command does: bring the database up to date, open it read-only, run the
 * query, close it. Expected failures become a message (or, in `--format json`, the one JSON
 * error shape on stdout) and exit code 1.
 */
export async function runQueryCommand(
  ctx: CommandContext,
  options: QueryCommandOptions,
  query: (db: Database.Database, kb: BuiltKnowledgeBase) => void,
): Promise<CommandResult> {
  try {
    const kb = await updateKnowledgeBase(ctx, { dbPath: options.db });
    const { errors } = countBySeverity(kb.problems);
    if (errors > 0) {
      const files = new Set(kb.problems.filter((p) => p.severity === 'error').map((p) => p.file)).size;
      ctx.stderr.write(
        `postmortem: ${files} file${files === 1 ? ' has' : 's have'} errors and ${files === 1 ? 'is' : 'are'} left out; run "postmortem check" to see them\n`,
      );
    }
    if (options.asOf !== undefined) {
      const view = knowledgeBaseAsOf(kb, ctx.root, parseAsOf(options.asOf));
      ctx.stderr.write(`postmortem: ${view.note}\n`);
      try {
        query(view.db, { ...kb, today: view.date });
      } finally {
        view.db.close();
      }
      return { exitCode: 0 };
    }
    const db = kb.openDb();
    try {
      query(db, kb);
    } finally {
      db.close();
    }
    return { exitCode: 0 };
  } catch (error) {
    const expected = error instanceof RangeError ? new QueryError('invalid-option', error.message) : error;
    if (!(expected instanceof UserError)) throw error;
    if (options.format !== 'json') throw expected;
    const code = expected instanceof QueryError ? expected.code : 'error';
    ctx.stdout.write(formatJsonError({ code, message: expected.message, hint: expected.hint }));
    return { exitCode: 1 };
  }
}
