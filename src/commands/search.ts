import { runQueryCommand, type QueryCommandOptions } from '../db/query-command.js';
import { querySearch, type SearchRow } from '../db/queries/search.js';
import { withFormatOption, writeRows, type RowFormat } from '../output/rows.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export interface SearchCommandOptions extends QueryCommandOptions {
  limit?: number;
}

const COLUMNS = ['incident_id', 'section', 'snippet', 'audience', 'rank'];

/** `postmortem search "<words>"`: full-text search, best match first, with a snippet. */
export async function runSearch(ctx: CommandContext, words: string, options: SearchCommandOptions = {}): Promise<CommandResult & { rows: SearchRow[] }> {
  let rows: SearchRow[] = [];
  const result = await runQueryCommand(ctx, options, (db) => {
    rows = querySearch(db, words, { limit: options.limit });
    const format = options.format ?? 'table';
    writeRows(ctx.stdout, rows as unknown as Record<string, unknown>[], { format, columns: format === 'table' ? COLUMNS : ['incident_id', 'title', ...COLUMNS.slice(1)] });
  });
  return { ...result, rows };
}

export const searchCommand = (env: CliEnv): CommandBody => ({
  builder: (y) => withFormatOption(y)
    .positional('words', { type: 'string', array: true, describe: 'Words to find (all of them; word* for a prefix)' })
    .option('limit', { type: 'number', default: 20, describe: 'Most results' })
    .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(await runSearch(env.context(argv), (argv.words as string[]).join(' '), {
      limit: argv.limit as number,
      format: argv.format as RowFormat,
      db: argv.db as string | undefined,
    }));
  },
});
