import { z } from 'zod';

/**
 * A part of a schema made the first time a value is checked against it (zod's `lazy`), for the
 * parts of the config most knowledge bases leave out: a `.default()` returns its value without
 * checking it, so a key that is absent never makes its schema. zod makes every schema in a chain
 * (`z.string().min(1).describe(…)`: three) with a few dozen property definitions each; the
 * config's and the contract's schemas took ~9 ms of every command's start that loads them (a
 * one-edit `build` at 10,000, quiet), most of it the contract's and the documents' parts, which
 * the bench's config (and most) does not have. The same checks, issues and JSON Schema either way.
 */
export const madeOnUse = <T extends z.ZodType>(make: () => T) => z.lazy(make);
