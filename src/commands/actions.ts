import type Database from 'better-sqlite3';
import { runQueryCommand, withAsOfOption, type QueryCommandOptions } from '../db/query-command.js';
import { ACTION_STATUSES, dayOption, queryActions, type ActionRow, type ActionsOptions } from '../db/queries/actions.js';
import { queryCalendarRows, queryRevisions } from '../db/queries/calendar.js';
import { allCalendars, renderCalendar, revisions, selectedCalendar, type CalendarSelection } from '../export/calendars.js';
import { writeCalendars } from '../export/write-calendars.js';
import { providerIds, type Config } from '../schema/config.js';
import { ROW_FORMATS, writeRows } from '../output/rows.js';
import { UserError, type CliEnv, type CommandContext, type CommandResult, type CommandBody } from './context.js';

/** `--format`: the row formats, and `ics` (calendars of due dates). */
export const ACTIONS_FORMATS = [...ROW_FORMATS, 'ics'] as const;
export type ActionsFormat = (typeof ACTIONS_FORMATS)[number];

export type ActionsCommandOptions = Omit<ActionsOptions, 'today'> &
  Omit<QueryCommandOptions, 'format'> &
  CalendarSelection & {
    format?: ActionsFormat;
  };

const COLUMNS = [
  'incident_id',
  'remediation_id',
  'action',
  'type',
  'owner',
  'owner_name',
  'due',
  'status',
  'days_overdue',
  'public',
  'incident_title',
];

/** The one calendar named by --owner, --team or --provider (checked against the config), if any. */
function selection(options: ActionsCommandOptions, config: Config): CalendarSelection | undefined {
  const given = (['owner', 'team', 'provider'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1)
    throw new UserError(
      `--${given.join(' and --')} each select a calendar: give one of them`,
      'Without any, every calendar is written to <out>/calendars/.',
    );
  const [key] = given;
  if (key === undefined) return undefined;
  const value = options[key]!;
  const known =
    key === 'owner'
      ? config.owners.map((o) => o.id)
      : key === 'team'
        ? [...new Set(config.owners.flatMap((o) => (o.team ? [o.team] : [])))]
        : providerIds(config);
  if (!known.includes(value)) {
    throw new UserError(
      `--${key} "${value}" is not ${key === 'team' ? 'the team of any owner' : `a configured ${key}`} in postmortem.config.yaml`,
      known.length ? `Known: ${known.sort().join(', ')}.` : undefined,
    );
  }
  return { [key]: value };
}

/** `--format ics`: one calendar on stdout, or every calendar written to `<out>/calendars/`. */
function calendars(ctx: CommandContext, db: Database.Database, config: Config, today: string, options: ActionsCommandOptions): void {
  if (options.dueBefore !== undefined) dayOption(options.dueBefore, '--due-before');
  const rows = queryCalendarRows(db, { status: options.status, dueBefore: options.dueBefore, today });
  const byKey = revisions(rows, queryRevisions(db));
  const one = selection(options, config);
  if (one) {
    ctx.stdout.write(renderCalendar(selectedCalendar(rows, config, one), byKey, config));
    return;
  }
  const specs = allCalendars(rows, config);
  const written = writeCalendars(
    ctx.out,
    specs.map((spec) => ({ name: spec.name, text: renderCalendar(spec, byKey, config) })),
  );
  for (const file of written) ctx.stdout.write(`${file.changed ? 'wrote' : 'unchanged'} ${file.path}\n`);
  ctx.stdout.write(
    `${specs.length} calendar${specs.length === 1 ? '' : 's'} of ${rows.length} remediation${rows.length === 1 ? '' : 's'}.\n`,
  );
}

/** `postmortem actions`: remediations with their incident, owner, due date, status and days overdue; or their calendars. */
export async function runActions(ctx: CommandContext, options: ActionsCommandOptions = {}): Promise<CommandResult & { rows: ActionRow[] }> {
  let rows: ActionRow[] = [];
  const format = options.format ?? 'table';
  const result = await runQueryCommand(ctx, { ...options, format: format === 'ics' ? undefined : format }, (db, kb) => {
    if (format !== 'ics' && (options.team !== undefined || options.provider !== undefined)) {
      throw new UserError(
        '--team and --provider select a calendar: use them with --format ics',
        "To list one owner's remediations, use --owner.",
      );
    }
    if (format === 'ics') {
      calendars(ctx, db, kb.config, kb.today.toString(), options);
      return;
    }
    rows = queryActions(db, { ...options, status: options.status ?? 'open', today: kb.today.toString() });
    writeRows(ctx.stdout, rows as unknown as Record<string, unknown>[], { format, columns: COLUMNS });
  });
  return { ...result, rows };
}

export const actionsCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    withAsOfOption(
      y.option('format', {
        choices: ACTIONS_FORMATS,
        default: 'table' as ActionsFormat,
        describe: 'Output format; ics: calendars of due dates (docs/export.md)',
      }),
    )
      .option('owner', { type: 'string', describe: "Only this owner id (with ics: that owner's calendar)" })
      .option('team', { type: 'string', describe: "With ics: the calendar of this team's owners" })
      .option('provider', { type: 'string', describe: 'With ics: the calendar of remediations owned by this provider (provider:<id>)' })
      .option('status', {
        choices: ACTION_STATUSES,
        describe: 'open (and in-progress), overdue, done or all [default: open; with ics: all]',
      })
      .option('due-before', { type: 'string', describe: 'Only remediations due before this day (YYYY-MM-DD)' })
      .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(
      await runActions(env.context(argv), {
        owner: argv.owner as string | undefined,
        team: argv.team as string | undefined,
        provider: argv.provider as string | undefined,
        status: argv.status as ActionsOptions['status'],
        dueBefore: argv.dueBefore as string | undefined,
        format: argv.format as ActionsFormat,
        db: argv.db as string | undefined,
        asOf: argv.asOf as string | undefined,
      }),
    );
  },
});
