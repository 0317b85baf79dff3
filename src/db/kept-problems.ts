import type { Config } from '../schema/config.js';
import type { Temporal } from '../model/time.js';
import type { Problem } from '../problems.js';
import { ParseCache } from './cache.js';
import { processSource } from './process.js';
import { readOne } from './parse.js';
import { UserError } from '../commands/context.js';

/** Where a build's kept checks are, and what they were made for. */
export interface KeptChecks {
  /** The knowledge base's root (a file is read again when the cache no longer has what the build saw). */
  root: string;
  cachePath: string;
  cacheVersion: string;
  /** The checks' context (`checkContextOf`). */
  context: string;
  config: Config;
  today: Temporal.PlainDate;
}

/**
 * The per-file problems of the checks a build took from the cache, read only when asked for
 * (the database's problems table when they changed, `kb.problems`, the lines of the files the
 * report does not copy), each file's once, with a connection of its own: by then a later build
 * may have changed the cache, so a row is taken only when it was made for the digest this build
 * saw; else the file's problems are made again from its parse, which is kept by digest, or from
 * the file when the cache no longer has it and the file is still what the build saw.
 */
export class KeptProblems {
  private readonly known = new Map<string, Problem[]>();

  constructor(private readonly kept: KeptChecks) {}

  of(wanted: readonly { file: string; digest: string }[]): Map<string, Problem[]> {
    const missing = wanted.filter((w) => !this.known.has(w.file));
    if (missing.length > 0) this.read(missing);
    return new Map(wanted.map((w) => [w.file, this.known.get(w.file)!]));
  }

  private read(missing: readonly { file: string; digest: string }[]): void {
    const { cachePath, cacheVersion, context, config, today } = this.kept;
    const cache = ParseCache.readOnly(cachePath, cacheVersion);
    if (!cache) throw new Error(`the parse cache ${cachePath} is gone; run the build again`);
    try {
      // a few files one query each, many in one pass over the table
      const rows = cache.checkProblems(context, missing.length > 64 ? undefined : missing.map((m) => m.file));
      for (const { file, digest } of missing) {
        const row = rows.get(file);
        if (row?.digest === digest) {
          this.known.set(file, row.problems);
          continue;
        }
        const source = cache.get(digest, file) ?? readOne(this.kept.root, file, config);
        if (source.digest !== digest) throw new UserError(`${file} changed since its problems were kept; run the build again`);
        this.known.set(file, processSource(source, config, today).check.problems);
      }
    } finally {
      cache.close();
    }
  }
}
