import { UserError } from '../commands/context.js';

/** A letter setting that cannot be used (`notes:`, `follows:`); `key` names the document setting to locate it at. */
export class LetterSettingError extends UserError {
  constructor(
    message: string,
    readonly key: 'notes' | 'follows',
    hint?: string,
  ) {
    super(message, hint);
  }
}
