import type { Config } from '../schema/config.js';
import type { SourceFile } from '../source/read.js';
import { validateSource } from '../kb/validate.js';
import type { Temporal } from '../model/time.js';
import type { Incident } from '../model/incident.js';
import type { FileCheck } from './cache.js';
import { incidentRows, type IncidentRows } from './write.js';

/**
 * What the build keeps of one read file: its per-file check and the rows of a valid incident,
 * and (when just read) the parse as JSON for the cache — a string crosses threads far more
 * cheaply than the object tree.
 */
export interface Processed {
  file: string;
  digest: string;
  check: FileCheck;
  rows?: IncidentRows;
  json?: string;
  /** Whether the thread that read the file keeps its typed incident for the build's pages (see `kept-incidents.ts`). */
  kept?: boolean;
}

/**
 * The per-file stage of `check` (`validateSource`), and the database rows when the incident passes it. Plain data only;
 * `keep` may keep the valid incident (whether it did is `kept`).
 */
export function processSource(
  source: SourceFile,
  config: Config,
  today: Temporal.PlainDate,
  keep?: (incident: Incident) => boolean,
): Processed {
  const result = validateSource(source, config, today);
  const data = source.data as { id?: unknown } | undefined;
  const check: FileCheck = {
    problems: result.problems,
    valid: result.incident !== undefined,
    ...(result.undated ? { undated: true } : {}),
    frontmatterLine: source.frontmatterLine,
    id: result.incident?.id,
    related: result.incident?.related,
    dataId: data && typeof data === 'object' ? data.id : undefined,
  };
  const processed: Processed = { file: source.file, digest: source.digest, check };
  if (result.incident) {
    processed.rows = incidentRows(result.incident, config);
    if (keep?.(result.incident)) processed.kept = true;
  }
  return processed;
}
