import { runQueryCommand, withAsOfOption, type QueryCommandOptions } from '../db/query-command.js';
import { ACTION_STATUSES, queryActions, type ActionRow, type ActionsOptions } from '../db/queries/actions.js';
import { withFormatOption, writeRows, type RowFormat } from '../output/rows.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export type ActionsCommandOptions = Omit<ActionsOptions, 'today'> & QueryCommandOptions;

const COLUMNS = ['incident_id', 'remediation_id', 'action', 'type', 'owner', 'owner_name', 'due', 'status', 'days_overdue', 'public', 'incident_title'];

/** `postmortem actions`: remediations with their incident, owner, due date, status and days overdue. */
export async function runActions(ctx: CommandContext, options: ActionsCommandOptions = {}): Promise<CommandResult & { rows: ActionRow[] }> {
  let rows: ActionRow[] = [];
  const result = await runQueryCommand(ctx, options, (db, kb) => {
    rows = queryActions(db, { ...options, today: kb.today.toString() });
    writeRows(ctx.stdout, rows as unknown as Record<string, unknown>[], { format: options.format ?? 'table', columns: COLUMNS });
  });
  return { ...result, rows };
}

export const actionsCommand = (env: CliEnv): CommandBody => ({
  builder: (y) => withAsOfOption(withFormatOption(y))
    .option('owner', { type: 'string', describe: 'Only this owner id' })
    .option('status', { choices: ACTION_STATUSES, default: 'open' as const, describe: 'open (and in-progress), overdue, done or all' })
    .option('due-before', { type: 'string', describe: 'Only remediations due before this day (YYYY-MM-DD)' })
    .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(await runActions(env.context(argv), {
      owner: argv.owner as string | undefined,
      status: argv.status as ActionsOptions['status'],
      dueBefore: argv.dueBefore as string | undefined,
      format: argv.format as RowFormat,
      db: argv.db as string | undefined,
      asOf: argv.asOf as string | undefined,
    }));
  },
});
