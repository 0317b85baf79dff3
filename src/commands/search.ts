import { runQueryCommand, type QueryCommandOptions } from '../db/query-command.js';
import { querySearch, type SearchRow } from '../db/queries/search.js';
import { withFormatOption, writeRows, type RowFormat } from '../output/rows.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export interface SearchCommandOptions extends QueryCommandOptions {
  limit?: number;
}

/** In a table: where the best match is and its snippet; JSON and CSV have every column of `SearchRow`. */
const TABLE_COLUMNS = ['incident_id', 'field', 'snippet', 'matched_in', 'rank'];
const ALL_COLUMNS = ['incident_id', 'title', 'field', 'label', 'matched_in', 'audience', 'snippet', 'rank'];

/** `postmortem search "<words>"`: the incidents with every word, best first, with the field and a snippet of the best match. */
export async function runSearch(
  ctx: CommandContext,
  words: string,
  options: SearchCommandOptions = {},
): Promise<CommandResult & { rows: SearchRow[] }> {
  let rows: SearchRow[] = [];
  const result = await runQueryCommand(ctx, options, (db) => {
    rows = querySearch(db, words, { limit: options.limit });
    const format = options.format ?? 'table';
    writeRows(ctx.stdout, rows as unknown as Record<string, unknown>[], {
      format,
      columns: format === 'table' ? TABLE_COLUMNS : ALL_COLUMNS,
    });
  });
  return { ...result, rows };
}

export const searchCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    withFormatOption(y)
      .positional('words', { type: 'string', array: true, describe: 'Words to find (all of them; word* for a prefix)' })
      .option('limit', { type: 'number', default: 20, describe: 'Most results' })
      .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(
      await runSearch(env.context(argv), (argv.words as string[]).join(' '), {
        limit: argv.limit as number,
        format: argv.format as RowFormat,
        db: argv.db as string | undefined,
      }),
    );
  },
});
