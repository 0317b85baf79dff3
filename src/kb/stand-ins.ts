import type { StandInCheck } from '../db/cache.js';
import { toIncident, type Incident } from '../model/incident.js';
import type { Config } from '../schema/config.js';
import type { SourceFile } from '../source/read.js';

/** An object whose known fields are at hand and whose other fields load the whole value on first use. */
function lazy<T extends object>(known: Partial<T>, load: () => T): T {
  let full: T | undefined;
  return new Proxy(known as T, {
    get(target, prop) {
      if (Object.hasOwn(target, prop)) return (target as Record<PropertyKey, unknown>)[prop];
      full ??= load();
      return (full as Record<PropertyKey, unknown>)[prop];
    },
  });
}

/**
 * A file the cross-file rules see through its kept per-file check (see `FileCheck`): its read
 * and, when it passed the per-file stage, its incident, as stand-ins that load the whole file
 * (`load`) only if a rule asks for more than the check kept.
 */
export function standInsOf(
  file: string,
  digest: string,
  check: StandInCheck,
  load: () => SourceFile,
  config: Config,
): { source: SourceFile; incident?: Incident } {
  const data = lazy<{ id?: unknown }>({ id: check.dataId }, () => load().data as { id?: unknown });
  const source = lazy<SourceFile>({ file, digest, frontmatterLine: check.frontmatterLine, data }, load);
  if (!check.valid) return { source };
  return {
    source,
    incident: lazy<Incident>({ id: check.id, file, digest, related: check.related }, () => toIncident(load(), config).incident!),
  };
}
