import { runQueryCommand, type QueryCommandOptions } from '../db/query-command.js';
import { querySql, SQL_DEFAULT_LIMIT, SQL_DEFAULT_TIMEOUT_MS, type SqlResult } from '../db/queries/sql.js';
import { withFormatOption, writeRows, type RowFormat } from '../output/rows.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export interface SqlCommandOptions extends QueryCommandOptions {
  limit?: number;
  /** Seconds. */
  timeout?: number;
}

/** `postmortem sql "<SELECT ...>"`: one read-only query, row-capped and time-limited. */
export async function runSql(
  ctx: CommandContext,
  sql: string,
  options: SqlCommandOptions = {},
): Promise<CommandResult & { result?: SqlResult }> {
  let result: SqlResult | undefined;
  const outcome = await runQueryCommand(ctx, options, (db, kb) => {
    result = querySql(db, kb.dbPath, sql, {
      limit: options.limit,
      timeoutMs: options.timeout === undefined ? undefined : options.timeout * 1000,
    });
    writeRows(ctx.stdout, result.rows, { format: options.format ?? 'table', columns: result.columns });
    if (result.truncated) {
      ctx.stderr.write(`postmortem: showing the first ${result.rows.length} rows; use --limit to see more\n`);
    }
  });
  return { ...outcome, result };
}

export const sqlCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    withFormatOption(y)
      .positional('query', { type: 'string', describe: 'A SELECT statement' })
      .option('limit', { type: 'number', default: SQL_DEFAULT_LIMIT, describe: 'Most rows returned' })
      .option('timeout', { type: 'number', default: SQL_DEFAULT_TIMEOUT_MS / 1000, describe: 'Seconds before the query is stopped' })
      .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(
      await runSql(env.context(argv), argv.query as string, {
        limit: argv.limit as number,
        timeout: argv.timeout as number,
        format: argv.format as RowFormat,
        db: argv.db as string | undefined,
      }),
    );
  },
});
