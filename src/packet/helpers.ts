import { compactDuration, englishDate, humanDuration, longDate, mediumDate, shortDateTime } from '../format/time.js';
import { Temporal } from '../model/time.js';
import type { Helper } from '../render/handlebars.js';
import Handlebars from 'handlebars';

/**
 * Front-matter text with its Markdown code spans as code: "`route` table" → `<code>route</code>
 * table`, everything else escaped. Front-matter fields are one-line text, not Markdown, but
 * writers quote names in backticks and a reader should not see the backticks.
 */
export function inlineCode(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part) =>
      /^`[^`]+`$/.test(part) ? `<code>${Handlebars.escapeExpression(part.slice(1, -1))}</code>` : Handlebars.escapeExpression(part),
    )
    .join('');
}

/** A CSS string literal for any text: every character but letters, digits and spaces as a CSS escape. */
export function cssString(text: string): string {
  return `"${[...text].map((c) => (/[\p{L}\p{N} ]/u.test(c) ? c : `\\${c.codePointAt(0)!.toString(16)} `)).join('')}"`;
}

/**
 * Helpers of the packet's (internal) Handlebars environment: the shared date and duration
 * formatting of `src/format/time.ts`, in the configured display zone, plus number formats.
 */
export function packetHelpers(zone: string): Record<string, Helper> {
  const minutes = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    longDate: (v: unknown) =>
      v instanceof Temporal.Instant ? longDate(v, zone) : v instanceof Temporal.PlainDate ? englishDate(v, true) : '—',
    mediumDate: (v: unknown) => (v instanceof Temporal.Instant || v instanceof Temporal.PlainDate ? mediumDate(v, zone) : '—'),
    shortDateTime: (v: unknown) => (v instanceof Temporal.Instant ? shortDateTime(v, zone) : '—'),
    compactDuration: (v: unknown) => compactDuration(minutes(v)),
    humanDuration: (v: unknown) => (minutes(v) === null ? '—' : humanDuration(minutes(v)!)),
    /** Front-matter text with `code` spans rendered as code, the rest escaped. */
    inline: (v: unknown) => new Handlebars.SafeString(inlineCode(typeof v === 'string' ? v : '')),
    /** Text as a CSS string (for `content:` in the page's running header). */
    cssString: (v: unknown) => new Handlebars.SafeString(cssString(typeof v === 'string' ? v : '')),
    /** 1234567 → "1,234,567"; missing → "—". */
    count: (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : '—'),
    /** Availability with three decimals: "99.987%". */
    percent: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(3)}%` : '—'),
    /** "+0.012 pts", "−0.004 pts", "no change". */
    pointChange: (a: unknown, b: unknown) => {
      if (typeof a !== 'number' || typeof b !== 'number') return '—';
      const d = Math.round((a - b) * 1000) / 1000;
      if (d === 0) return 'no change';
      return `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(3)} pts`;
    },
  };
}
