export interface CommandEntry {
  /** Name and positionals, as yargs reads them. */
  command: string;
  describe: string;
}

/**
 * Every command, named and described here and only here (`cli.ts` builds the parser from it), in
 * the order `--help` lists them; its module is loaded from `registry.ts` only when that command
 * runs: the overall help, a typo and a missing command need only the names and descriptions
 * below. Apart from the loaders, so that `start.ts` (`dist/cli.js`, bundled alone: one module to
 * load at every start) finds the command named without the commands' modules.
 */
export const COMMANDS = [
  // the main job, and validation
  {
    command: 'build',
    describe: 'Build the knowledge-base database (incrementally) and every document and the site',
  },
  {
    command: 'check [paths..]',
    describe: 'Validate incidents and the config; print every problem as path:line:col',
  },
  // questions to the knowledge base
  {
    command: 'stats',
    describe: 'Incident counts and time to detect, mitigate and resolve (median, p90) per group',
  },
  {
    command: 'actions',
    describe: 'Remediations: owner, due date, status and days overdue',
  },
  {
    command: 'credits',
    describe: 'Service credits a provider owes under its contract, per month and service (claim-ready with --format csv)',
  },
  {
    command: 'search <words..>',
    describe: 'Search titles, causes, factors, timelines, remediations and sections',
  },
  {
    command: 'recurrence',
    describe: 'Recurring root causes per service, and fixes after which the same failure came back',
  },
  {
    command: 'sql <query>',
    describe: 'Run one read-only SQL query against the database (see docs/schema.md)',
  },
  // documents
  {
    command: 'letter [ids..]',
    describe: 'Write the customer letter about one or more incidents, or a follow-up to an earlier letter (HTML, Markdown, PDF)',
  },
  {
    command: 'packet',
    describe: 'Write the internal review packet for a provider meeting (HTML, PDF)',
  },
  {
    command: 'export <kind>',
    describe: "Print public incident summaries (json, atom or statuspage) through the letters' customer view and tripwire",
  },
  {
    command: 'site',
    describe: 'Write the browsable, searchable site to <out>/site/ (only what changed)',
  },
  {
    command: 'serve',
    describe: 'Build, then serve the site and letter and packet previews on 127.0.0.1, rebuilding and reloading on every save',
  },
  // authoring
  {
    command: 'new <title>',
    describe: "Write a new incident file from the template, with a generated id and today's date",
  },
  {
    command: 'import <kind> <paths..>',
    describe: 'Bring incidents in from elsewhere (md-frontmatter, statuspage, csv) as drafts; re-import updates what nobody edited',
  },
  {
    command: 'init [dir]',
    describe: 'Create an empty knowledge base (config with comments, incidents/, templates/)',
  },
] as const satisfies readonly CommandEntry[];

/** A command's name: the first word of its `command`. */
export type CommandName = (typeof COMMANDS)[number]['command'] extends infer C ? (C extends `${infer N} ${string}` ? N : C) : never;

export const nameOf = (entry: CommandEntry) => entry.command.split(' ')[0] as CommandName;

/** Global options that take a value (the command name is the first word that is not an option or such a value). */
const GLOBAL_VALUE_OPTIONS = new Set(['--root', '--out', '--now']);

/** The command named on the command line, when it is a known one. */
export function commandNamed(argv: readonly string[]): CommandName | undefined {
  for (let n = 0; n < argv.length; n++) {
    const arg = argv[n]!;
    if (arg === '--') return undefined;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) {
      n++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return COMMANDS.find((entry) => nameOf(entry) === arg) && (arg as CommandName);
  }
  return undefined;
}
