import { UserError } from '../commands/context.js';

/** A query command's expected failure, with a permanent code (the `code` of the JSON error shape). */
export class QueryError extends UserError {
  constructor(
    readonly code: string,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
    this.name = 'QueryError';
  }
}
