import { runQueryCommand, withAsOfOption, type QueryCommandOptions } from '../db/query-command.js';
import { queryFixes, queryRecurrence, type FixRow, type RecurrenceGroupRow } from '../db/queries/recurrence.js';
import { withFormatOption, writeRows, type RowFormat } from '../output/rows.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export const RECURRENCE_VIEWS = ['all', 'groups', 'fixes'] as const;

export interface RecurrenceCommandOptions extends QueryCommandOptions {
  windowDays?: number;
  show?: (typeof RECURRENCE_VIEWS)[number];
}

const GROUP_COLUMNS = ['category', 'service', 'incidents', 'first_started', 'last_started', 'span_days', 'incident_ids'];
const FIX_COLUMNS = [
  'incident_id',
  'remediation_id',
  'type',
  'done_by',
  'done_from',
  'category',
  'services',
  'failed_again_id',
  'failed_again_started',
  'days_after',
  'later_incidents',
  'action',
  'owner',
];

/**
 * `postmortem recurrence`: incidents recurring by root-cause category and service, and done
 * remediations after which the same category and service failed again. In json and csv with
 * `--show all`, rows of both kinds carry a `kind` column ("group" or "fix").
 */
export async function runRecurrence(
  ctx: CommandContext,
  options: RecurrenceCommandOptions = {},
): Promise<CommandResult & { groups: RecurrenceGroupRow[]; fixes: FixRow[] }> {
  let groups: RecurrenceGroupRow[] = [];
  let fixes: FixRow[] = [];
  const show = options.show ?? 'all';
  const format = options.format ?? 'table';
  const result = await runQueryCommand(ctx, options, (db) => {
    if (show !== 'fixes') groups = queryRecurrence(db, { windowDays: options.windowDays });
    if (show !== 'groups') fixes = queryFixes(db);
    const asRows = (rows: object[]) => rows as Record<string, unknown>[];
    if (show === 'groups') return writeRows(ctx.stdout, asRows(groups), { format, columns: GROUP_COLUMNS });
    if (show === 'fixes') return writeRows(ctx.stdout, asRows(fixes), { format, columns: FIX_COLUMNS });
    if (format === 'table') {
      writeRows(ctx.stdout, asRows(groups), {
        format,
        columns: GROUP_COLUMNS,
        title: `Recurring incidents (same category and service within ${options.windowDays ?? 90} days)`,
      });
      ctx.stdout.write('\n');
      writeRows(ctx.stdout, asRows(fixes), {
        format,
        columns: FIX_COLUMNS,
        title:
          'Did the fix work? Done remediations followed by the same category and service failing again (done_by: completion date; done_from "due" marks a fix with no completion date, dated by its due date)',
      });
      return;
    }
    const columns = ['kind', ...new Set([...GROUP_COLUMNS, ...FIX_COLUMNS])];
    const rows = [...groups.map((g) => ({ kind: 'group', ...g })), ...fixes.map((f) => ({ kind: 'fix', ...f }))];
    writeRows(ctx.stdout, rows, { format, columns });
  });
  return { ...result, groups, fixes };
}

export const recurrenceCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    withAsOfOption(withFormatOption(y))
      .option('window', { type: 'number', default: 90, describe: 'Days between incidents that still count as recurring' })
      .option('show', { choices: RECURRENCE_VIEWS, default: 'all' as const, describe: 'groups, fixes, or all' })
      .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(
      await runRecurrence(env.context(argv), {
        windowDays: argv.window as number,
        show: argv.show as RecurrenceCommandOptions['show'],
        format: argv.format as RowFormat,
        db: argv.db as string | undefined,
        asOf: argv.asOf as string | undefined,
      }),
    );
  },
});
