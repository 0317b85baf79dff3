#!/usr/bin/env node
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError, type CliEnv, type CommandContext, type CommandResult } from './commands/context.js';
import { checkCommand } from './commands/check.js';
import { newCommand } from './commands/new.js';
import { initCommand } from './commands/init.js';
import { buildCommand } from './commands/build.js';
import { statsCommand } from './commands/stats.js';
import { actionsCommand } from './commands/actions.js';
import { searchCommand } from './commands/search.js';
import { recurrenceCommand } from './commands/recurrence.js';
import { sqlCommand } from './commands/sql.js';
import { letterCommand } from './commands/letter.js';
import { siteCommand } from './commands/site.js';
import { packetCommand } from './commands/packet.js';

/** Every command, registered here and only here. */
const COMMANDS = [
  // the main job, and validation
  buildCommand, checkCommand,
  // questions to the knowledge base
  statsCommand, actionsCommand, searchCommand, recurrenceCommand, sqlCommand,
  // documents
  letterCommand, packetCommand, siteCommand,
  // authoring
  newCommand, initCommand,
];

function contextFrom(argv: Record<string, unknown>): CommandContext {
  const root = resolve(String(argv.root ?? '.'));
  return {
    root,
    out: argv.out ? resolve(String(argv.out)) : resolve(root, 'out'),
    now: typeof argv.now === 'string' ? argv.now : undefined,
    stdout: process.stdout,
    stderr: process.stderr,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
}

export function buildParser(argv: string[], env: CliEnv) {
  let parser = yargs(argv)
    .scriptName('postmortem')
    .usage('$0 <command> [options]\n\nPostmortem knowledge base: validate incidents, build the database, write letters, packets and the site.')
    .option('root', { type: 'string', default: '.', describe: 'Knowledge-base root', global: true })
    .option('out', { type: 'string', describe: 'Output folder [default: <root>/out]', global: true })
    .option('now', { type: 'string', describe: 'Evaluate at this date (YYYY-MM-DD) instead of today', global: true, hidden: true })
    .strict()
    .demandCommand(1, 'Name a command; see postmortem --help')
    .recommendCommands()
    .wrap(100)
    .help()
    .version();
  for (const command of COMMANDS) parser = parser.command(command(env));
  return parser;
}

/** A problem with the command line itself (unknown command, bad option value): exit 2. */
class UsageError extends Error {}

async function main(): Promise<void> {
  const env: CliEnv = {
    context: contextFrom,
    finish(result: CommandResult) {
      process.exitCode = result.exitCode;
    },
  };
  const parser = buildParser(hideBin(process.argv), env).fail((message, error) => {
    // Throwing stops yargs from running the command after a usage problem.
    throw error ?? new UsageError(message);
  });
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`postmortem: ${error.message}\nRun "postmortem --help" for usage.\n`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof UserError) {
      process.stderr.write(`postmortem: ${error.message}\n${error.hint ? error.hint + '\n' : ''}`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`postmortem: internal error: ${(error as Error).message}\nPlease report this with the command you ran.\n`);
    if (process.env.POSTMORTEM_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = 70;
  }
}

await main();
