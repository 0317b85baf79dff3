import { execFileSync } from 'node:child_process';
import type { Incident } from '../model/incident.js';
import type { LetterNoteSection } from './notes.js';

/**
 * Which characters the installed fonts can print. A PDF shows a character with no glyph in any
 * font as an empty box; the letter warns before that reaches a customer. Coverage comes from
 * fontconfig (`fc-list --format '%{charset}'`: every font's character ranges, about 480 kB for
 * 70 fonts), read once per process into a bitmap of all Unicode code points (136 kB), so a
 * lookup is one array read. Measured on the 2-core build machine: fc-list 24–220 ms and
 * filling the bitmap 45–200 ms, depending on load; only letters that print a PDF pay it.
 */
export type Coverage = Uint8Array;

const CODE_POINTS = 0x110000;

/** A bitmap of the code points in fontconfig charset text ("20-7e a0-17f 192 ..."). */
export function parseCharsets(text: string): Coverage {
  const bits = new Uint8Array(CODE_POINTS >> 3);
  for (const m of text.matchAll(/\b([0-9a-f]{1,6})(?:-([0-9a-f]{1,6}))?\b/gi)) {
    const from = parseInt(m[1]!, 16);
    const to = Math.min(m[2] === undefined ? from : parseInt(m[2], 16), CODE_POINTS - 1);
    for (let code = from; code <= to; code++) bits[code >> 3]! |= 1 << (code & 7);
  }
  return bits;
}

let cached: Coverage | null | undefined;

/** The installed fonts' coverage, or null when fontconfig is not installed. */
export function installedCoverage(): Coverage | null {
  if (cached !== undefined) return cached;
  try {
    cached = parseCharsets(
      execFileSync('fc-list', ['--format', '%{charset}\n'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }),
    );
  } catch {
    cached = null;
  }
  return cached;
}

export function covers(coverage: Coverage, code: number): boolean {
  return code < CODE_POINTS && (coverage[code >> 3]! & (1 << (code & 7))) !== 0;
}

/**
 * Characters that need no glyph of their own: whitespace, controls, format characters (zero-width
 * joiners in emoji sequences, bidi marks), variation selectors and emoji tags.
 */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is tested alone, never a joined sequence
const NO_GLYPH = /[\s\p{Cc}\p{Cf}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]/u;

export interface MissingGlyph {
  /** The character, and "U+1F9FF". */
  char: string;
  code: string;
  /** Where it was first found, e.g. `incident 2007-06-13-x impact.summary`. */
  where: string;
}

/** Every character of `texts` that no installed font can print, once each, with the first place it occurs. */
export function missingGlyphs(texts: readonly { where: string; text: string }[], coverage: Coverage): MissingGlyph[] {
  const seen = new Set<number>();
  const missing: MissingGlyph[] = [];
  for (const { where, text } of texts) {
    for (const char of text) {
      const code = char.codePointAt(0)!;
      if (seen.has(code) || NO_GLYPH.test(char)) continue;
      seen.add(code);
      if (!covers(coverage, code)) missing.push({ char, code: `U+${code.toString(16).toUpperCase().padStart(4, '0')}`, where });
    }
  }
  return missing;
}

/** The customer text a letter prints, field by field, so a missing glyph is reported at its field. */
export function glyphSources(
  incidents: readonly Incident[],
  notes: { file: string; sections: readonly LetterNoteSection[] } | undefined,
): { where: string; text: string }[] {
  const texts: { where: string; text: string }[] = [];
  for (const i of incidents) {
    const at = (field: string, text: string | undefined) => {
      if (text) texts.push({ where: `incident ${i.id}: ${field}`, text });
    };
    at('title', i.title);
    at('impact.summary', i.impact.summary);
    at('customer summary', i.customer_summary);
    i.timeline.forEach((e, n) => {
      if (e.public) at(`timeline entry ${n + 1}`, e.event);
    });
    i.remediations.forEach((r) => {
      if (r.public) at(`remediation ${r.id}`, r.action);
    });
  }
  for (const section of notes?.sections ?? []) {
    texts.push({ where: `${notes!.file}${section.title ? `, section "${section.title}"` : ''}`, text: section.markdown.toString() });
  }
  return texts;
}
