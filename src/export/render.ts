import type { Config } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import { renderAtom, type AtomOptions } from './atom.js';
import { renderStatuspage } from './statuspage.js';
import { assertNoLeak, type ExportKind } from './tripwire.js';
import { publicExport, type PublicExport } from './view.js';

/**
 * One export of `incidents` (final ones; see `exportable`) as text: built from the public view,
 * then searched by the tripwire. Throws a `UserError` naming the leak instead of returning it.
 */
export function renderExport(kind: ExportKind, incidents: readonly Incident[], config: Config, atom: Omit<AtomOptions, 'zone'> = {}): string {
  const render = (data: PublicExport) => {
    if (kind === 'json') return JSON.stringify(data, null, 2) + '\n';
    return kind === 'atom' ? renderAtom(data, { zone: config.timezone, ...atom }) : renderStatuspage(data);
  };
  const all = publicExport(incidents, config);
  // Each incident's part is searched for that incident's internal text, as a letter about it
  // would be (another incident's customer text may well use the same words).
  const byId = new Map(incidents.map((i) => [i.id, i]));
  for (const view of all.incidents) assertNoLeak(kind, render({ ...all, incidents: [view] }), [byId.get(view.id)!], config);
  return render(all);
}
