import type { Config } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import { renderAtom, type AtomOptions } from './atom.js';
import { renderStatuspage } from './statuspage.js';
import { assertNoLeak, type ExportKind } from './tripwire.js';
import { publicExport, type PublicExport } from './view.js';

function render(kind: ExportKind, data: PublicExport, config: Config, atom: Omit<AtomOptions, 'zone'>): string {
  if (kind === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  return kind === 'atom' ? renderAtom(data, { zone: config.timezone, ...atom }) : renderStatuspage(data);
}

/**
 * Exports of `incidents` (final ones; see `exportable`) as text, from one public view: each
 * incident's part is searched by the tripwire for that incident's internal text, as a letter
 * about it would be (another incident's customer text may well use the same words). Throws a
 * `UserError` naming the leak instead of returning it.
 */
export function renderExports<K extends ExportKind>(
  kinds: readonly K[],
  incidents: readonly Incident[],
  config: Config,
  atom: Omit<AtomOptions, 'zone'> = {},
): Record<K, string> {
  const all = publicExport(incidents, config);
  const byId = new Map(incidents.map((i) => [i.id, i]));
  const out = {} as Record<K, string>;
  for (const kind of kinds) {
    for (const view of all.incidents)
      assertNoLeak(kind, render(kind, { ...all, incidents: [view] }, config, atom), [byId.get(view.id)!], config);
    out[kind] = render(kind, all, config, atom);
  }
  return out;
}

/** One export (see `renderExports`). */
export function renderExport(
  kind: ExportKind,
  incidents: readonly Incident[],
  config: Config,
  atom: Omit<AtomOptions, 'zone'> = {},
): string {
  return renderExports([kind], incidents, config, atom)[kind];
}
