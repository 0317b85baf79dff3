import { locationName, type Config } from '../schema/config.js';
import type { Incident } from '../model/incident.js';

/**
 * The last line of defence of the audience boundary: before a letter is written, every
 * output format is searched for the internal text of the incidents it covers. The view
 * model should make a leak impossible; this catches a template, a helper or a future change
 * that breaks it, and customer text that repeats internal text word for word.
 *
 * Two kinds of needle:
 * - words (names, e-mail addresses, tickets): matched as whole words, case-insensitively,
 *   in the text with markup removed;
 * - fragments (sentences and lines of internal text): compared on letters and digits only,
 *   lower-cased, so markup, escaping, line wrapping and punctuation cannot hide them. Only
 *   fragments with at least MIN_FRAGMENT letters and digits are used, so common short
 *   phrases do not trip it.
 */
export const MIN_FRAGMENT = 12;

export interface InternalString {
  incident: string;
  /** Where it comes from, e.g. `root_cause.summary`, `remediations[4].ticket`, `section "Internal notes"`. */
  field: string;
  text: string;
  kind: 'word' | 'fragment';
}

export interface OutputText {
  /** "HTML", "Markdown", "PDF". */
  format: string;
  text: string;
  markup: 'html' | 'markdown' | 'text';
}

export interface Leak {
  needle: InternalString;
  format: string;
}

/**
 * Characters a reader does not see (Unicode format characters: zero-width spaces and joiners
 * U+200B–U+200D, marks U+200E–U+200F, bidi controls, U+2060–U+2064, the BOM, the soft
 * hyphen): `Dana\u200b Whitcomb` reads as `Dana Whitcomb`.
 */
const INVISIBLE = /\p{Cf}/gu;

/** Text as it is compared: compatibility forms folded (NFKC), invisible characters removed. */
export function normalise(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

/** Letters and digits only, lower-cased: the form fragments are compared in. */
export function letters(text: string): string {
  return normalise(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    // The name is the text's: `&constructor;` must not find what every object inherits.
    const name = body.toLowerCase();
    return Object.hasOwn(ENTITIES, name) ? ENTITIES[name]! : all;
  });
}

/** Elements that flow inside a line: `Whit<b>comb</b>` reads as one word. */
const INLINE_TAG =
  /<\/?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var|wbr)(?:\s[^>]*)?\/?>/gi;

/** What a reader sees of an output, as plain text (markup and escaping removed; inline elements joined to their neighbours). */
export function visibleText(output: OutputText): string {
  let text = output.text;
  if (output.markup === 'html') {
    text = text
      .replace(/<style[\s\S]*?<\/style>/gi, ' ')
      .replace(INLINE_TAG, '')
      .replace(/<[^>]*>/g, ' ');
    text = decodeEntities(text);
  } else if (output.markup === 'markdown') {
    text = decodeEntities(text.replace(/\\([\\`*_{}[\]()#+\-.!<>&|~"'=:;,/?@$%^])/g, '$1'));
  }
  return text.replace(/\s+/g, ' ');
}

/** Attributes a reader can see or follow: link targets and titles, image sources and alt text. */
const READER_ATTRIBUTE = /\s(?:href|src|title|alt|aria-label)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

function attributeText(html: string): string {
  const values: string[] = [];
  for (const [tag] of html.matchAll(/<[^>]*>/g)) {
    for (const m of tag.matchAll(READER_ATTRIBUTE)) values.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  return decodeEntities(values.join(' '));
}

/** `%XX` sequences decoded (twice over, for URLs encoded twice); a run that is not UTF-8 stays. */
function percentDecoded(text: string): string {
  let out = text;
  for (let pass = 0; pass < 2; pass++) {
    out = out.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
  return out;
}

/**
 * Everything of an output a reader can get at, as the tripwire searches it: the visible text,
 * plus (HTML) link targets, titles and alt text, with URLs percent-decoded, compatibility
 * forms folded and invisible characters removed.
 */
export function readerText(output: OutputText): string {
  const attributes = output.markup === 'html' ? attributeText(output.text) : '';
  return normalise(percentDecoded(`${visibleText(output)} ${attributes}`)).replace(/\s+/g, ' ');
}

function stripMarkdownLine(line: string): string {
  return line.replace(/^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,9}[.)]\s+)+/, '').trim();
}

/** Sentences and lines of an internal text, as fragments long enough to be distinctive. */
export function fragments(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = stripMarkdownLine(raw);
    if (!line) continue;
    const parts = line.split(/(?<=[.!?;:])\s+/);
    for (const part of parts.length > 1 ? [line, ...parts] : [line]) {
      if (letters(part).length >= MIN_FRAGMENT) out.push(part);
    }
  }
  return out;
}

/**
 * Every internal string of the incidents, with the field it comes from. Owners: the names
 * of every non-public owner in the directory and every owner's e-mail address.
 */
export function internalStrings(incidents: readonly Incident[], config: Config): InternalString[] {
  const needles: InternalString[] = [];
  const word = (incident: string, field: string, text: string | undefined) => {
    const t = text && normalise(text).replace(/\s+/g, ' ').trim();
    if (t && letters(t).length >= 3) needles.push({ incident, field, text: t, kind: 'word' });
  };
  const frag = (incident: string, field: string, text: string | undefined) => {
    if (!text) return;
    for (const f of fragments(text)) needles.push({ incident, field, text: f, kind: 'fragment' });
  };
  const ids = incidents.map((i) => i.id).join(', ');
  for (const owner of config.owners) {
    // A one-word name shorter than six letters ("Will", "Mark") is too common a word to search for.
    const distinctive = /\s/.test(owner.name.trim()) || letters(owner.name).length >= 6;
    if (!owner.public && distinctive) word(ids, `owner "${owner.id}" (name, not public)`, owner.name);
    word(ids, `owner "${owner.id}" (e-mail)`, owner.email);
  }
  for (const incident of incidents) {
    const id = incident.id;
    // every cause: the record holds several (the first alone was searched before)
    const causes = incident.root_causes;
    causes.forEach((c, i) => frag(id, causes.length > 1 ? `root_cause[${i}].summary` : 'root_cause.summary', c.summary));
    frag(id, 'trigger', incident.trigger);
    incident.contributing_factors.forEach((f, i) => frag(id, `contributing_factors[${i}].summary`, f.summary));
    frag(id, 'detection.summary', incident.detection?.summary);
    frag(id, 'internal notes', incident.internal_notes);
    incident.remediations.forEach((r, i) => {
      word(id, `remediations[${i}].ticket`, r.ticket);
      if (!r.public) frag(id, `remediations[${i}].action (not public)`, r.action);
    });
    incident.windows.forEach((w, i) => {
      if (!w.public && !w.implicit) frag(id, `impact.windows[${i}].summary (not public)`, w.summary);
    });
    incident.timeline.forEach((entry, i) => {
      if (!entry.public) frag(id, `timeline entry ${i + 1} (not public, line ${entry.line})`, entry.event);
    });
    for (const section of incident.sections) {
      if (section.audience === 'internal') frag(id, `section "${section.title}"`, section.markdown);
    }
  }
  return needles;
}

/**
 * Text the letter may show legitimately: the customer fields of the incidents and the
 * letter's own opening and closing. Internal
 * sections often restate them (a `## Timeline` list holds the public entries too), so an
 * internal fragment found in here is not a secret. The Customer summary is deliberately not
 * part of it: internal text copied into it is reported.
 */
export function publicCorpus(incidents: readonly Incident[], config: Config, prose: readonly string[] = []): string {
  // The letter's own prose (opening, closing) is rendered from the view model alone.
  const parts: string[] = [...prose];
  for (const incident of incidents) {
    parts.push(incident.title, incident.impact.summary, ...incident.impact.symptoms, ...incident.services);
    parts.push(...incident.locations.map((l) => locationName(config, l)));
    for (const r of incident.remediations) if (r.public) parts.push(r.action, r.customer_action ?? '');
    if (incident.customer?.related_cause) parts.push(incident.customer.related_cause);
    for (const e of incident.timeline) if (e.public) parts.push(e.event);
    for (const w of incident.windows) if (w.public && w.summary) parts.push(w.summary);
  }
  return parts.map(letters).join('\u0000');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first internal string that appears in any output, or undefined. */
export function findLeak(outputs: readonly OutputText[], needles: readonly InternalString[], corpus = ''): Leak | undefined {
  const views = outputs.map((o) => {
    const visible = readerText(o);
    return { format: o.format, visible: visible.toLowerCase(), compact: letters(visible) };
  });
  for (const needle of needles) {
    if (needle.kind === 'word') {
      const lower = needle.text.toLowerCase();
      // Any match holds the text up to its first space as it is. Most needles are in no output,
      // and the pattern (a lookbehind first) would be tried at every position of every output.
      const head = lower.split(' ')[0]!;
      const candidates = views.filter((v) => v.visible.includes(head));
      if (candidates.length === 0) continue;
      const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(lower).replace(/ /g, '[\\s+]+')}(?![\\p{L}\\p{N}_])`, 'u');
      for (const v of candidates) if (pattern.test(v.visible)) return { needle, format: v.format };
    } else {
      const compact = letters(needle.text);
      if (corpus.includes(compact)) continue;
      for (const v of views) if (v.compact.includes(compact)) return { needle, format: v.format };
    }
  }
  return undefined;
}

export function describeLeak(leak: Leak): string {
  const excerpt = leak.needle.text.length > 80 ? `${leak.needle.text.slice(0, 77)}...` : leak.needle.text;
  return `incident ${leak.needle.incident}: internal text from ${leak.needle.field} appears in the ${leak.format} letter ("${excerpt}")`;
}
