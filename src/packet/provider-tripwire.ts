import type { Incident } from '../model/incident.js';
import { locationName, providerList, type Config } from '../schema/config.js';
import { PROVIDER_OWNER_PREFIX } from '../schema/incident.js';
import {
  findLeak,
  fragments,
  letters,
  normalise,
  visibleText,
  type InternalString,
  type Leak,
  type OutputText,
} from '../letter/tripwire.js';
import type { Notes, NotesSection } from './notes.js';

/**
 * The last line of defence of the provider packet (`provider-view.ts` should make a leak
 * impossible): before it is written, every output (HTML, the PDF's header, footer, metadata
 * and text) is searched for what only our side may read, with the letters' matcher
 * (`letter/tripwire.ts`: whole words case-insensitively, fragments on letters and digits):
 *
 * - words: every owner's name (public or not: the provider sees roles) and e-mail address,
 *   tickets, internal links, and every other provider's id and display name (customers
 *   listed as providers included);
 * - fragments: root causes, triggers, contributing factors, detection notes, internal notes
 *   and sections, timeline entries and remediations not shown to the provider, window
 *   summaries that are not public, internal credits, and every part of the notes file but
 *   its `{asks}` sections.
 *
 * A fragment that is also text the provider may read (`providerCorpus`) is not a secret.
 */
export interface ProviderNeedleInput {
  config: Config;
  provider: string;
  /** Every incident the packet was selected from (the provider's and any others). */
  incidents: readonly Incident[];
  notes?: Notes;
}

/**
 * Notes sections share their labels ("**Space and power:**" in the growth plans and in the
 * asks): a fragment of the notes must have at least this many letters and digits (about five
 * words) to count, against the letters' `MIN_FRAGMENT` for incident text.
 */
export const NOTES_MIN_FRAGMENT = 24;

type Add = (source: string, field: string, text: string | undefined) => void;

function collectors(needles: InternalString[], minimum = 0): { word: Add; frag: Add } {
  return {
    word: (source, field, text) => {
      const t = text && normalise(text).replace(/\s+/g, ' ').trim();
      if (t && letters(t).length >= 3) needles.push({ incident: source, field, text: t, kind: 'word' });
    },
    frag: (source, field, text) => {
      for (const f of text ? fragments(text) : []) {
        if (letters(f).length >= minimum) needles.push({ incident: source, field, text: f, kind: 'fragment' });
      }
    },
  };
}

/** HTML as lines of text (one per block), for fragments of rendered notes. */
function htmlLines(html: string): string {
  const blocks = html.replace(/\s+/g, ' ').replace(/<\/(?:p|li|h[1-6]|tr|td|th|div|pre|blockquote)>|<br\s*\/?>/gi, '$&\n');
  return blocks
    .split('\n')
    .map((line) => visibleText({ format: 'notes', text: line, markup: 'html' }).trim())
    .join('\n');
}

function directoryNeedles({ config, provider }: ProviderNeedleInput, { word }: ReturnType<typeof collectors>): void {
  for (const owner of config.owners) {
    // A one-word name shorter than six letters ("Will", "Mark") is too common a word to search for.
    if (/\s/.test(owner.name.trim()) || letters(owner.name).length >= 6)
      word('postmortem.config.yaml', `owner "${owner.id}" (name)`, owner.name);
    word('postmortem.config.yaml', `owner "${owner.id}" (e-mail)`, owner.email);
  }
  const others = new Set([...providerList(config).map((p) => p.id), ...config.provider_names.keys()]);
  others.delete(provider);
  for (const id of others) {
    word('postmortem.config.yaml', `provider "${id}" (another provider)`, id);
    word('postmortem.config.yaml', `provider "${id}" (another provider's name)`, config.provider_names.get(id));
  }
}

function incidentNeedles(incident: Incident, provider: string, { word, frag }: ReturnType<typeof collectors>): void {
  const file = incident.file;
  for (const id of incident.providers) if (id !== provider) word(file, `provider (another provider)`, id);
  incident.root_causes.forEach((c, i) => frag(file, `root_cause[${i}].summary`, c.summary));
  frag(file, 'trigger', incident.trigger);
  incident.contributing_factors.forEach((f, i) => frag(file, `contributing_factors[${i}].summary`, f.summary));
  frag(file, 'detection.summary', incident.detection?.summary);
  frag(file, 'internal notes', incident.internal_notes);
  incident.remediations.forEach((r, i) => {
    word(file, `remediations[${i}].ticket`, r.ticket);
    if (!r.public && r.owner !== `${PROVIDER_OWNER_PREFIX}${provider}`)
      frag(file, `remediations[${i}].action (not public, not the provider's)`, r.action);
  });
  incident.timeline.forEach((e, i) => {
    if (!e.public) frag(file, `timeline entry ${i + 1} (not public, line ${e.line})`, e.event);
  });
  incident.windows.forEach((w) => {
    if (!w.public) frag(file, `impact.windows[${w.index - 1}].summary (not public)`, w.summary);
  });
  incident.links.forEach((l, i) => {
    if (l.audience !== 'internal') return;
    word(file, `links[${i}].url`, l.url);
    frag(file, `links[${i}].title`, l.title);
  });
  incident.credits.forEach((c, i) => {
    if (c.audience === 'internal') frag(file, `credits[${i}].summary`, c.summary);
  });
  for (const section of incident.sections) {
    if (section.audience === 'internal') frag(file, `section "${section.title}" (line ${section.line})`, section.markdown);
  }
}

function notesNeedles(notes: Notes, needles: InternalString[]): void {
  const { frag } = collectors(needles, NOTES_MIN_FRAGMENT);
  const internal = (s: NotesSection) => !s.flags.includes('asks');
  frag(notes.file, 'introduction', notes.introHtml && htmlLines(notes.introHtml));
  frag(notes.file, 'section "Agenda"', notes.agendaHtml && htmlLines(notes.agendaHtml));
  for (const s of [...notes.sections, ...notes.later].filter(internal)) {
    frag(notes.file, `section "${s.title}"`, `${s.title}\n${htmlLines(s.html)}`);
  }
}

/** Every string of our side the provider packet must not show, with where it comes from. */
export function providerNeedles(input: ProviderNeedleInput): InternalString[] {
  const needles: InternalString[] = [];
  const add = collectors(needles);
  directoryNeedles(input, add);
  for (const incident of input.incidents) incidentNeedles(incident, input.provider, add);
  if (input.notes) notesNeedles(input.notes, needles);
  return needles;
}

/**
 * Text the provider may read: the allowlisted fields of its incidents. Internal sections often
 * restate them (a `## Timeline` list holds the public entries too), so an internal fragment
 * found in here is not a secret. The `{asks}` sections are deliberately not part of it: they are
 * written for the meeting, next to internal notes, and internal text copied into them is reported.
 */
export function providerCorpus({ config, provider, incidents }: ProviderNeedleInput): string {
  const parts: string[] = [config.provider_names.get(provider) ?? provider];
  for (const incident of incidents.filter((i) => i.providers.includes(provider))) {
    parts.push(incident.title, incident.impact.summary, ...incident.impact.symptoms, ...incident.services);
    parts.push(...incident.locations.map((l) => locationName(config, l)));
    for (const r of incident.remediations) if (r.public || r.owner === `${PROVIDER_OWNER_PREFIX}${provider}`) parts.push(r.action);
    for (const e of incident.timeline) if (e.public) parts.push(e.event);
    for (const w of incident.windows) if (w.public && w.summary) parts.push(w.summary);
  }
  return parts.map(letters).join('\u0000');
}

/** The first string of our side found in any output, or undefined. */
export function findProviderLeak(outputs: readonly OutputText[], input: ProviderNeedleInput): Leak | undefined {
  return findLeak(outputs, providerNeedles(input), providerCorpus(input));
}

export function describeProviderLeak(leak: Leak): string {
  const excerpt = leak.needle.text.length > 80 ? `${leak.needle.text.slice(0, 77)}...` : leak.needle.text;
  return `${leak.needle.incident}: ${leak.needle.field} appears in the provider ${leak.format} ("${excerpt}")`;
}
