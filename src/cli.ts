#!/usr/bin/env node
import { resolve } from 'node:path';
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { asUserError } from './output/file-error.js';
import type { CliEnv, CommandBody, CommandContext, CommandResult } from './commands/context.js';

type CommandFactory = (env: CliEnv) => CommandBody;

interface CommandEntry {
  /** Name and positionals, as yargs reads them. */
  command: string;
  describe: string;
  load: () => Promise<CommandFactory>;
}

/**
 * Every command, registered here and only here, in the order `--help` lists them. A command's
 * module (and all it imports) is loaded only when that command runs: the overall help, a typo
 * and a missing command need only the names and descriptions below.
 */
const COMMANDS: readonly CommandEntry[] = [
  // the main job, and validation
  {
    command: 'build',
    describe: 'Build the knowledge-base database (incrementally) and every document and the site',
    load: async () => (await import('./commands/build.js')).buildCommand,
  },
  {
    command: 'check [paths..]',
    describe: 'Validate incidents and the config; print every problem as path:line:col',
    load: async () => (await import('./commands/check.js')).checkCommand,
  },
  // questions to the knowledge base
  {
    command: 'stats',
    describe: 'Incident counts and time to detect, mitigate and resolve (median, p90) per group',
    load: async () => (await import('./commands/stats.js')).statsCommand,
  },
  {
    command: 'actions',
    describe: 'Remediations: owner, due date, status and days overdue',
    load: async () => (await import('./commands/actions.js')).actionsCommand,
  },
  {
    command: 'credits',
    describe: 'Service credits a provider owes under its contract, per month and service (claim-ready with --format csv)',
    load: async () => (await import('./commands/credits.js')).creditsCommand,
  },
  {
    command: 'search <words..>',
    describe: 'Search titles, causes, factors, timelines, remediations and sections',
    load: async () => (await import('./commands/search.js')).searchCommand,
  },
  {
    command: 'recurrence',
    describe: 'Recurring root causes per service, and fixes after which the same failure came back',
    load: async () => (await import('./commands/recurrence.js')).recurrenceCommand,
  },
  {
    command: 'sql <query>',
    describe: 'Run one read-only SQL query against the database (see docs/schema.md)',
    load: async () => (await import('./commands/sql.js')).sqlCommand,
  },
  // documents
  {
    command: 'letter [ids..]',
    describe: 'Write the customer letter about one or more incidents, or a follow-up to an earlier letter (HTML, Markdown, PDF)',
    load: async () => (await import('./commands/letter.js')).letterCommand,
  },
  {
    command: 'packet',
    describe: 'Write the internal review packet for a provider meeting (HTML, PDF)',
    load: async () => (await import('./commands/packet.js')).packetCommand,
  },
  {
    command: 'export <kind>',
    describe: "Print public incident summaries (json, atom or statuspage) through the letters' customer view and tripwire",
    load: async () => (await import('./commands/export.js')).exportCommand,
  },
  {
    command: 'site',
    describe: 'Write the browsable, searchable site to <out>/site/ (only what changed)',
    load: async () => (await import('./commands/site.js')).siteCommand,
  },
  {
    command: 'serve',
    describe: 'Build, then serve the site and letter and packet previews on 127.0.0.1, rebuilding and reloading on every save',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  // authoring
  {
    command: 'new <title>',
    describe: "Write a new incident file from the template, with a generated id and today's date",
    load: async () => (await import('./commands/new.js')).newCommand,
  },
  {
    command: 'import <kind> <paths..>',
    describe: 'Bring incidents in from elsewhere (md-frontmatter, statuspage, csv) as drafts; re-import updates what nobody edited',
    load: async () => (await import('./commands/import.js')).importCommand,
  },
  {
    command: 'init [dir]',
    describe: 'Create an empty knowledge base (config with comments, incidents/, templates/)',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
];

const nameOf = (entry: CommandEntry) => entry.command.split(' ')[0]!;

/** Global options that take a value (the command name is the first word that is not an option or such a value). */
const GLOBAL_VALUE_OPTIONS = new Set(['--root', '--out', '--now']);

/** The command named on the command line, when it is a known one. */
export function commandNamed(argv: readonly string[]): string | undefined {
  for (let n = 0; n < argv.length; n++) {
    const arg = argv[n]!;
    if (arg === '--') return undefined;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) {
      n++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return COMMANDS.some((entry) => nameOf(entry) === arg) ? arg : undefined;
  }
  return undefined;
}

/** The named command, with its module loaded; every other command by name and description only. */
async function commandsFor(argv: readonly string[], env: CliEnv): Promise<CommandModule[]> {
  const named = commandNamed(argv);
  return Promise.all(
    COMMANDS.map(async (entry): Promise<CommandModule> => {
      const { command, describe } = entry;
      if (nameOf(entry) !== named) return { command, describe, handler: () => undefined };
      return { ...(await entry.load())(env), command, describe };
    }),
  );
}

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

/**
 * Words after `--` are positional arguments even when they look like options (`search -- -5xx`).
 * yargs keeps them out of a command's positionals, so they are passed as placeholders that no
 * option parser touches and put back before the command runs.
 */
function protectDoubleDash(argv: readonly string[]): { argv: string[]; restore: (parsed: Record<string, unknown>) => void } {
  const at = argv.indexOf('--');
  if (at < 0) return { argv: [...argv], restore: () => undefined };
  const words = argv.slice(at + 1);
  const placeholder = (n: number) => `\u0000postmortem-word-${n}\u0000`;
  const original = new Map(words.map((word, n) => [placeholder(n), word]));
  const back = (value: unknown): unknown =>
    typeof value === 'string' ? (original.get(value) ?? value) : Array.isArray(value) ? value.map(back) : value;
  return {
    argv: [...argv.slice(0, at), ...words.map((_, n) => placeholder(n))],
    restore(parsed) {
      for (const key of Object.keys(parsed)) parsed[key] = back(parsed[key]);
    },
  };
}

export function buildParser(rawArgv: string[], commands: readonly CommandModule[]) {
  const { argv, restore } = protectDoubleDash(rawArgv);
  let parser = yargs(argv)
    .middleware(restore)
    .scriptName('postmortem')
    .usage(
      '$0 <command> [options]\n\nPostmortem knowledge base: validate incidents, build the database, write letters, packets and the site.',
    )
    .option('root', { type: 'string', default: '.', describe: 'Knowledge-base root', global: true })
    .option('out', { type: 'string', describe: 'Output folder [default: <root>/out]', global: true })
    .option('now', { type: 'string', describe: 'Evaluate at this date (YYYY-MM-DD) instead of today', global: true, hidden: true })
    .strict()
    .demandCommand(1, 'Name a command; see postmortem --help')
    .recommendCommands()
    .wrap(100)
    .help()
    .version();
  for (const command of commands) parser = parser.command(command);
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
  const argv = hideBin(process.argv);
  const parser = buildParser(argv, await commandsFor(argv, env)).fail((message, error) => {
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
    const expected = asUserError(error);
    if (expected) {
      process.stderr.write(`postmortem: ${expected.message}\n${expected.hint ? `${expected.hint}\n` : ''}`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`postmortem: internal error: ${(error as Error).message}\nPlease report this with the command you ran.\n`);
    if (process.env.POSTMORTEM_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = 70;
  }
}

await main();
