import { compactDuration, englishDate, humanDuration, longDate, mediumDate, shortDateTime } from '../format/time.js';
import { Temporal } from '../model/time.js';
import type { Helper } from '../render/handlebars.js';

/**
 * Helpers of the packet's (internal) Handlebars environment: the shared date and duration
 * formatting of `src/format/time.ts`, in the configured display zone, plus number formats.
 */
export function packetHelpers(zone: string): Record<string, Helper> {
  const minutes = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    longDate: (v: unknown) => (v instanceof Temporal.Instant ? longDate(v, zone) : v instanceof Temporal.PlainDate ? englishDate(v, true) : '—'),
    mediumDate: (v: unknown) => (v instanceof Temporal.Instant || v instanceof Temporal.PlainDate ? mediumDate(v, zone) : '—'),
    shortDateTime: (v: unknown) => (v instanceof Temporal.Instant ? shortDateTime(v, zone) : '—'),
    compactDuration: (v: unknown) => compactDuration(minutes(v)),
    humanDuration: (v: unknown) => (minutes(v) === null ? '—' : humanDuration(minutes(v)!)),
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
