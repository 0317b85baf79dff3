import type { CliEnv, CommandBody } from './context.js';

export type CommandFactory = (env: CliEnv) => CommandBody;

export interface CommandEntry {
  /** Name and positionals, as yargs reads them. */
  command: string;
  describe: string;
  load: () => Promise<CommandFactory>;
}

/**
 * Every command, registered here and only here (`cli.ts` builds the parser from it), in the order `--help` lists them. A command's
 * module (and all it imports) is loaded only when that command runs: the overall help, a typo
 * and a missing command need only the names and descriptions below.
 */
export const COMMANDS: readonly CommandEntry[] = [
  // the main job, and validation
  {
    command: 'build',
    describe: 'Build the knowledge-base database (incrementally) and every document and the site',
    load: async () => (await import('./build.js')).buildCommand,
  },
  {
    command: 'check [paths..]',
    describe: 'Validate incidents and the config; print every problem as path:line:col',
    load: async () => (await import('./check.js')).checkCommand,
  },
  // questions to the knowledge base
  {
    command: 'stats',
    describe: 'Incident counts and time to detect, mitigate and resolve (median, p90) per group',
    load: async () => (await import('./stats.js')).statsCommand,
  },
  {
    command: 'actions',
    describe: 'Remediations: owner, due date, status and days overdue',
    load: async () => (await import('./actions.js')).actionsCommand,
  },
  {
    command: 'credits',
    describe: 'Service credits a provider owes under its contract, per month and service (claim-ready with --format csv)',
    load: async () => (await import('./credits.js')).creditsCommand,
  },
  {
    command: 'search <words..>',
    describe: 'Search titles, causes, factors, timelines, remediations and sections',
    load: async () => (await import('./search.js')).searchCommand,
  },
  {
    command: 'recurrence',
    describe: 'Recurring root causes per service, and fixes after which the same failure came back',
    load: async () => (await import('./recurrence.js')).recurrenceCommand,
  },
  {
    command: 'sql <query>',
    describe: 'Run one read-only SQL query against the database (see docs/schema.md)',
    load: async () => (await import('./sql.js')).sqlCommand,
  },
  // documents
  {
    command: 'letter [ids..]',
    describe: 'Write the customer letter about one or more incidents, or a follow-up to an earlier letter (HTML, Markdown, PDF)',
    load: async () => (await import('./letter.js')).letterCommand,
  },
  {
    command: 'packet',
    describe: 'Write the internal review packet for a provider meeting (HTML, PDF)',
    load: async () => (await import('./packet.js')).packetCommand,
  },
  {
    command: 'export <kind>',
    describe: "Print public incident summaries (json, atom or statuspage) through the letters' customer view and tripwire",
    load: async () => (await import('./export.js')).exportCommand,
  },
  {
    command: 'site',
    describe: 'Write the browsable, searchable site to <out>/site/ (only what changed)',
    load: async () => (await import('./site.js')).siteCommand,
  },
  {
    command: 'serve',
    describe: 'Build, then serve the site and letter and packet previews on 127.0.0.1, rebuilding and reloading on every save',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  // authoring
  {
    command: 'new <title>',
    describe: "Write a new incident file from the template, with a generated id and today's date",
    load: async () => (await import('./new.js')).newCommand,
  },
  {
    command: 'import <kind> <paths..>',
    describe: 'Bring incidents in from elsewhere (md-frontmatter, statuspage, csv) as drafts; re-import updates what nobody edited',
    load: async () => (await import('./import.js')).importCommand,
  },
  {
    command: 'init [dir]',
    describe: 'Create an empty knowledge base (config with comments, incidents/, templates/)',
    load: async () => (await import('./init.js')).initCommand,
  },
];

export const nameOf = (entry: CommandEntry) => entry.command.split(' ')[0]!;

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
