import type { CommandModule } from 'yargs';
/** What every command function receives: the knowledge base, where output goes, and the streams. */
export interface Output {
  /** Text, or UTF-8 bytes (a report kept by the build is written as it was stored). */
  write(text: string | Uint8Array): unknown;
  isTTY?: boolean;
}

export interface CommandContext {
  /** Knowledge-base root (absolute). */
  root: string;
  /** Generated output folder (absolute). */
  out: string;
  /** Evaluation date `YYYY-MM-DD` for overdue checks; default the config's `as_of`, else today. */
  now?: string;
  stdout: Output;
  stderr: Output;
  /** Colour on terminals unless NO_COLOR is set. */
  color: boolean;
}

export interface CommandResult {
  exitCode: number;
}

/** An expected failure: printed as a message without a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * What a command module gives `cli.ts`: its options and its handler. Its usage and one-line
 * description are declared in `cli.ts`, so that the overall help loads no command module.
 */
export type CommandBody = Omit<CommandModule, 'command' | 'describe'>;

/** What `cli.ts` hands each command module: how to build the context, and where the result goes. */
export interface CliEnv {
  context(argv: Record<string, unknown>): CommandContext;
  finish(result: CommandResult): void;
}
