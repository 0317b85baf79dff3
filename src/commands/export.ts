import { runQueryCommand, type QueryCommandOptions } from '../db/query-command.js';
import { EXPORT_KINDS, type ExportKind } from '../export/tripwire.js';
import { renderExport } from '../export/render.js';
import { exportable } from '../export/view.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

export interface ExportOptions extends Pick<QueryCommandOptions, 'db'> {
  kind: ExportKind;
}

/**
 * `postmortem export json|atom|statuspage`: public summaries of the final incidents on stdout,
 * from the letters' customer view and checked by their tripwire; nothing is printed on a leak.
 */
export async function runExport(ctx: CommandContext, options: ExportOptions): Promise<CommandResult & { text: string }> {
  let text = '';
  const result = await runQueryCommand(ctx, { db: options.db }, (_db, kb) => {
    text = renderExport(options.kind, exportable(kb.incidents()), kb.config);
    ctx.stdout.write(text);
  });
  return { ...result, text };
}

export const exportCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    y
      .positional('kind', {
        choices: EXPORT_KINDS,
        describe: "json (described by schema/export.schema.json), atom (a feed) or statuspage (a status page's incidents API)",
      })
      .option('db', { type: 'string', describe: 'Database file [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    env.finish(await runExport(env.context(argv), { kind: argv.kind as ExportKind, db: argv.db as string | undefined }));
  },
});
