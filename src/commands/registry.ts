import type { CliEnv, CommandBody } from './context.js';
import type { CommandName } from './names.js';

export type CommandFactory = (env: CliEnv) => CommandBody;

/** Each command's module, loaded when that command runs (`names.ts` names and describes them). */
export const LOADERS: Record<CommandName, () => Promise<CommandFactory>> = {
  build: async () => (await import('./build.js')).buildCommand,
  check: async () => (await import('./check.js')).checkCommand,
  stats: async () => (await import('./stats.js')).statsCommand,
  actions: async () => (await import('./actions.js')).actionsCommand,
  credits: async () => (await import('./credits.js')).creditsCommand,
  search: async () => (await import('./search.js')).searchCommand,
  recurrence: async () => (await import('./recurrence.js')).recurrenceCommand,
  sql: async () => (await import('./sql.js')).sqlCommand,
  letter: async () => (await import('./letter.js')).letterCommand,
  packet: async () => (await import('./packet.js')).packetCommand,
  export: async () => (await import('./export.js')).exportCommand,
  site: async () => (await import('./site.js')).siteCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  new: async () => (await import('./new.js')).newCommand,
  import: async () => (await import('./import.js')).importCommand,
  init: async () => (await import('./init.js')).initCommand,
};
