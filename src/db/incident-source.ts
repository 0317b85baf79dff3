import type { Config } from '../schema/config.js';
import { takeIncident } from './kept-incidents.js';
import { toIncident, type Incident } from '../model/incident.js';
import { ParseCache } from './cache.js';
import { readOne, sameConfig } from './parse.js';
import { UserError } from '../commands/context.js';

/** The parse cache of a build, and the config its incidents are typed with. Plain data: it crosses to worker threads. */
export interface IncidentSource {
  /** The knowledge base's folder (a file whose parse the cache lost is read there again). */
  root: string;
  cachePath: string;
  cacheVersion: string;
  config: Config;
}

/**
 * Reads typed incidents from the parse cache, by file and content digest, keeping the cache
 * open between reads (a worker thread that renders pages reads a few at a time).
 */
export class IncidentReader {
  private cache: ParseCache | undefined;
  /** The config and its text, as this thread's parse had it (`sameConfig`; its incidents kept: `kept-incidents.ts`). */
  private typing: { json: string; config: Config } | undefined;

  constructor(private readonly source: IncidentSource) {}

  /** The incidents in the order given. */
  load(entries: readonly (readonly [file: string, digest: string])[]): Incident[] {
    if (entries.length === 0) return [];
    const json = () => this.config().json;
    return entries.map(([file, digest]) => takeIncident(json, file, digest) ?? this.reload(file, digest));
  }

  private config() {
    return (this.typing ??= sameConfig(this.source.config));
  }

  /** The incident read back from the parse cache and typed. */
  private reload(file: string, digest: string): Incident {
    const cache = (this.cache ??= new ParseCache(this.source.cachePath, this.source.cacheVersion));
    // A parse the cache lost (the cache deleted, say, while the database is up to date) is
    // made again from the file, when the file is still the one the database holds.
    const { config } = this.config();
    const parsed = cache.get(digest, file) ?? readOne(this.source.root, file, config);
    const incident = parsed.digest === digest ? toIncident(parsed, config).incident : undefined;
    if (!incident) throw new UserError(`${file} changed while the build was running`, 'Run the command again.');
    return incident;
  }

  close(): void {
    this.cache?.close();
    this.cache = undefined;
  }
}

/** Typed incidents from the parse cache, by file and content digest (as `BuiltKnowledgeBase.incidents`), in the order given. */
export function loadIncidents(source: IncidentSource, entries: readonly (readonly [file: string, digest: string])[]): Incident[] {
  const reader = new IncidentReader(source);
  try {
    return reader.load(entries);
  } finally {
    reader.close();
  }
}
