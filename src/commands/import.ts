import { IMPORT_KINDS, type ImportKind } from '../schema/incident.js';
import { printProblems } from '../output/problems.js';
import { importSummary, runImportPlan, type ImportOptions, type ImportReport } from '../import/run.js';
import type { CliEnv, CommandContext, CommandResult, CommandBody } from './context.js';

/** `postmortem import`: every problem of every record at once, located in the input, then how many import cleanly. */
export function runImport(ctx: CommandContext, options: ImportOptions): CommandResult & { report: ImportReport } {
  const report = runImportPlan(ctx, options);
  printProblems(ctx, report.problems);
  ctx.stdout.write(importSummary(report, options.dryRun === true));
  for (const file of report.written ? report.created : []) ctx.stdout.write(`Created ${file}\n`);
  for (const file of report.written ? report.updated : []) ctx.stdout.write(`Updated ${file}\n`);
  return { exitCode: report.problems.some((p) => p.severity === 'error') ? 1 : 0, report };
}

export const importCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    y
      .positional('kind', { choices: IMPORT_KINDS, demandOption: true, describe: 'What the input is' })
      .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'Files or folders to import' })
      .option('map', {
        type: 'string',
        describe: 'Mapping file (YAML), or "icco" for the icco/postmortems layout; md-frontmatter and csv need one',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Report every problem and how many records would import cleanly; write nothing',
      })
      .option('into', { type: 'string', describe: 'Folder under incidents/ for new records [default: incidents/imported/<kind>]' }),
  handler: (argv) => {
    env.finish(
      runImport(env.context(argv), {
        kind: argv.kind as ImportKind,
        paths: argv.paths as string[],
        map: argv.map as string | undefined,
        dryRun: argv.dryRun as boolean,
        into: argv.into as string | undefined,
      }),
    );
  },
});
