import { runQueryCommand, withAsOfOption, type QueryCommandOptions } from '../db/query-command.js';
import {
  availabilityMethod,
  queryStats,
  queryUntimed,
  untimedNote,
  STATS_GROUPS,
  type StatsOptions,
  type StatsRow,
} from '../db/queries/stats.js';
import { withFormatOption, writeRows, type RowFormat } from '../output/rows.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export type StatsCommandOptions = StatsOptions & QueryCommandOptions;

const COLUMNS = [
  'group',
  'incidents',
  'detect_median',
  'detect_p90',
  'mitigate_median',
  'mitigate_p90',
  'resolve_median',
  'resolve_p90',
  'impact_minutes',
];
const SERVICE_COLUMNS = [...COLUMNS, 'downtime_minutes', 'degraded_minutes', 'delayed_minutes', 'availability_percent'];
/** Printed under the table: what a count by category means. */
export const CATEGORY_NOTE = 'Every root cause counts: an incident with causes in several categories is counted in each.';

/** `postmortem stats`: per group, counts, median/p90 minutes to detect, mitigate, resolve, impact minutes (and availability by service). */
export async function runStats(ctx: CommandContext, options: StatsCommandOptions): Promise<CommandResult & { rows: StatsRow[] }> {
  let rows: StatsRow[] = [];
  const result = await runQueryCommand(ctx, options, (db, kb) => {
    const weights = kb.config.availability_weights;
    rows = queryStats(db, { ...options, weights });
    const format = options.format ?? 'table';
    writeRows(ctx.stdout, rows as unknown as Record<string, unknown>[], {
      format,
      columns: options.by === 'service' ? SERVICE_COLUMNS : COLUMNS,
    });
    if (format !== 'table') return;
    if (options.by === 'service') ctx.stdout.write(`${availabilityMethod(weights)}\n`);
    if (options.by === 'category') ctx.stdout.write(`${CATEGORY_NOTE}\n`);
    const untimed = untimedNote(queryUntimed(db, options));
    if (untimed) ctx.stdout.write(`${untimed}\n`);
  });
  return { ...result, rows };
}

export const statsCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    withAsOfOption(withFormatOption(y))
      .option('by', { choices: STATS_GROUPS, default: 'month' as const, describe: 'Group incidents by' })
      .option('since', { type: 'string', describe: 'First day (YYYY-MM-DD, in the config time zone)' })
      .option('until', { type: 'string', describe: 'Last day (YYYY-MM-DD, inclusive)' })
      .option('severity', { type: 'string', array: true, describe: 'Only these severities' })
      .option('service', { type: 'string', array: true, describe: 'Only incidents affecting these services' })
      .option('provider', { type: 'string', describe: 'Only incidents involving this provider' })
      .option('attributed-to', {
        type: 'string',
        describe: 'Only what this provider caused (attribution: provider): incidents, and with --by service or level their windows',
      })
      .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(
      await runStats(env.context(argv), {
        by: argv.by as StatsOptions['by'],
        since: argv.since as string | undefined,
        until: argv.until as string | undefined,
        severity: argv.severity as string[] | undefined,
        service: argv.service as string[] | undefined,
        provider: argv.provider as string | undefined,
        attributedTo: argv.attributedTo as string | undefined,
        format: argv.format as RowFormat,
        db: argv.db as string | undefined,
        asOf: argv.asOf as string | undefined,
      }),
    );
  },
});
