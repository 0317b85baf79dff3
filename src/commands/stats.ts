import { runQueryCommand, type QueryCommandOptions } from '../db/query-command.js';
import { queryStats, STATS_GROUPS, type StatsOptions, type StatsRow } from '../db/queries/stats.js';
import { withFormatOption, writeRows, type RowFormat } from '../output/rows.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export type StatsCommandOptions = StatsOptions & QueryCommandOptions;

const COLUMNS = ['group', 'incidents', 'detect_median', 'detect_p90', 'mitigate_median', 'mitigate_p90', 'resolve_median', 'resolve_p90', 'impact_minutes'];

/** `postmortem stats`: per group, counts, median/p90 minutes to detect, mitigate, resolve, impact minutes (and availability by service). */
export async function runStats(ctx: CommandContext, options: StatsCommandOptions): Promise<CommandResult & { rows: StatsRow[] }> {
  let rows: StatsRow[] = [];
  const result = await runQueryCommand(ctx, options, (db) => {
    rows = queryStats(db, options);
    const columns = options.by === 'service' ? [...COLUMNS, 'availability_percent'] : COLUMNS;
    writeRows(ctx.stdout, rows as unknown as Record<string, unknown>[], { format: options.format ?? 'table', columns });
  });
  return { ...result, rows };
}

export const statsCommand = (env: CliEnv): CommandBody => ({
  builder: (y) => withFormatOption(y)
    .option('by', { choices: STATS_GROUPS, default: 'month' as const, describe: 'Group incidents by' })
    .option('since', { type: 'string', describe: 'First day (YYYY-MM-DD, in the config time zone)' })
    .option('until', { type: 'string', describe: 'Last day (YYYY-MM-DD, inclusive)' })
    .option('severity', { type: 'string', array: true, describe: 'Only these severities' })
    .option('service', { type: 'string', array: true, describe: 'Only incidents affecting these services' })
    .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(await runStats(env.context(argv), {
      by: argv.by as StatsOptions['by'],
      since: argv.since as string | undefined,
      until: argv.until as string | undefined,
      severity: argv.severity as string[] | undefined,
      service: argv.service as string[] | undefined,
      format: argv.format as RowFormat,
      db: argv.db as string | undefined,
    }));
  },
});
