/** The formats a letter is written in (kept apart so the CLI can list them without loading the renderer). */
export const LETTER_FORMATS = ['html', 'md', 'pdf'] as const;
export type LetterFormat = (typeof LETTER_FORMATS)[number];
/** The folder under the output folder that letters are written to. */
export const LETTERS_DIR = 'letters';
