import { runQueryCommand, withAsOfOption, type QueryCommandOptions } from '../db/query-command.js';
import { providerCredits } from '../credits/provider.js';
import type { CreditRow } from '../credits/compute.js';
import { withFormatOption, writeRows, type RowFormat } from '../output/rows.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export interface CreditsCommandOptions extends QueryCommandOptions {
  provider: string;
  since?: string;
  until?: string;
}

/** Claim-ready columns, in the order a claim lists them. */
export const CREDIT_COLUMNS: readonly (keyof CreditRow)[] = [
  'provider',
  'service',
  'month',
  'gross_minutes',
  'excluded_minutes',
  'not_attributable_minutes',
  'billable_minutes',
  'availability_percent',
  'target_percent',
  'met_target',
  'tier',
  'credit_percent',
  'monthly_fee',
  'credit_amount',
  'currency',
  'claim_by',
  'month_complete',
  'incidents',
];

/** `postmortem credits`: per month and contract service, what the provider owes us under its contract. */
export async function runCredits(ctx: CommandContext, options: CreditsCommandOptions): Promise<CommandResult & { rows: CreditRow[] }> {
  let rows: CreditRow[] = [];
  const result = await runQueryCommand(ctx, options, (db, kb) => {
    const credits = providerCredits(db, kb.config, options, kb.today);
    rows = credits.rows;
    const format = options.format ?? 'table';
    writeRows(ctx.stdout, rows as unknown as Record<string, unknown>[], { format, columns: CREDIT_COLUMNS });
    if (format === 'table') ctx.stdout.write(`${credits.method} Months without counted minutes are not listed.\n`);
  });
  return { ...result, rows };
}

export const creditsCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    withAsOfOption(withFormatOption(y))
      .option('provider', { type: 'string', demandOption: true, describe: 'Provider id with a contract in the config' })
      .option('since', { type: 'string', describe: 'First day (YYYY-MM-DD); its whole month is measured [default: a year before --until]' })
      .option('until', { type: 'string', describe: 'Last day (YYYY-MM-DD); nothing after it counts [default: the evaluation day]' })
      .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(
      await runCredits(env.context(argv), {
        provider: argv.provider as string,
        since: argv.since as string | undefined,
        until: argv.until as string | undefined,
        format: argv.format as RowFormat,
        db: argv.db as string | undefined,
        asOf: argv.asOf as string | undefined,
      }),
    );
  },
});
