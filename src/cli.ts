import { resolve } from 'node:path';
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { asUserError } from './output/file-error.js';
import type { CliEnv, CommandContext, CommandResult } from './commands/context.js';
import { COMMANDS, commandNamed, nameOf } from './commands/names.js';
import { LOADERS } from './commands/registry.js';

/** The named command, with its module loaded; every other command by name and description only. */
async function commandsFor(argv: readonly string[], env: CliEnv): Promise<CommandModule[]> {
  const named = commandNamed(argv);
  return Promise.all(
    COMMANDS.map(async (entry): Promise<CommandModule> => {
      const { command, describe } = entry;
      if (nameOf(entry) !== named) return { command, describe, handler: () => undefined };
      return { ...(await LOADERS[named]())(env), command, describe };
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

/** The command line's command, run; what it prints and its exit code (`process.exitCode`). */
export async function main(): Promise<void> {
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
