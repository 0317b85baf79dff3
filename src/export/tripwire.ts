import type { Config } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import { UserError } from '../commands/context.js';
import { findLeak, internalStrings, publicCorpus, type Leak, type OutputText } from '../letter/tripwire.js';
import { xmlUnescape } from './atom.js';

/**
 * The letters' tripwire, on an export: the output as a reader gets at it is searched for the
 * internal text of the incidents it covers before anything is written.
 */
export const EXPORT_KINDS = ['json', 'atom', 'statuspage'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** Every string of a JSON document; values under an `html` key apart (they are read as HTML). */
function jsonStrings(value: unknown, key: string, out: { html: string[]; text: string[] }): void {
  if (typeof value === 'string') (key === 'html' ? out.html : out.text).push(value);
  else if (Array.isArray(value)) for (const v of value) jsonStrings(v, key, out);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) jsonStrings(v, k, out);
}

/** What a reader of the export gets at: the texts the tripwire searches. */
export function exportOutputs(kind: ExportKind, text: string): OutputText[] {
  if (kind === 'atom') {
    // the feed as XML, and its `type="html"` content as a feed reader shows it
    return [
      { format: 'Atom', text, markup: 'html' },
      { format: 'Atom (content)', text: xmlUnescape(text.replace(/<[^>]*>/g, ' ')), markup: 'html' },
    ];
  }
  const strings = { html: [] as string[], text: [] as string[] };
  jsonStrings(JSON.parse(text), '', strings);
  return [
    { format: kind, text: strings.text.join('\n'), markup: 'markdown' },
    { format: `${kind} (HTML)`, text: strings.html.join('\n'), markup: 'html' },
  ];
}

export function exportLeak(kind: ExportKind, text: string, incidents: readonly Incident[], config: Config): Leak | undefined {
  return findLeak(exportOutputs(kind, text), internalStrings(incidents, config), publicCorpus(incidents, config));
}

/** Throws (nothing is written) when internal text reached the export. */
export function assertNoLeak(kind: ExportKind, text: string, incidents: readonly Incident[], config: Config): void {
  const leak = exportLeak(kind, text, incidents, config);
  if (!leak) return;
  const excerpt = leak.needle.text.length > 80 ? `${leak.needle.text.slice(0, 77)}...` : leak.needle.text;
  throw new UserError(
    `incident ${leak.needle.incident}: internal text from ${leak.needle.field} appears in the ${leak.format} export ("${excerpt}"); nothing was written`,
    'Remove it from the customer text (the Customer summary, a public timeline entry or window), or mark the source text public if it is meant for customers.',
  );
}
