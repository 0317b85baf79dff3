import { humanDuration } from '../format/time.js';

/**
 * Small pieces of customer English generated from data: numbers as words, lists,
 * percentages, symptom phrases, service names. Kept apart from the view model so the
 * wording can be tested on its own.
 */

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** "two", "eleven", "14". */
export function numberWord(n: number): string {
  return WORDS[n] ?? String(n);
}

/** "a", "a and b", "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * How much of the impact a mitigation removed, honestly rounded down:
 * 95 → "95%", 99.6 → "more than 99%", 100 → "all".
 */
export function percentPhrase(percent: number): string {
  if (percent >= 100) return 'all';
  if (Number.isInteger(percent)) return `${percent}%`;
  const floor = Math.floor(percent);
  return floor === 0 ? 'a small share' : `more than ${floor}%`;
}

/**
 * The restoration sentence for one incident, from exact minutes.
 * "We restored service for more than 99% of affected customers within 20 minutes, and for
 * the rest over the next 15 minutes."
 */
export function restorationSentence(input: {
  percent?: number;
  toMitigation?: number;
  mitigationToResolution?: number;
}): string | null {
  const { percent, toMitigation, mitigationToResolution } = input;
  if (toMitigation === undefined) return null;
  const share = percent === undefined ? 'most affected customers' : percent >= 100 ? 'all affected customers' : `${percentPhrase(percent)} of affected customers`;
  const first = `We restored service for ${share} within ${humanDuration(toMitigation)}`;
  if (percent !== undefined && percent >= 100) return `${first}.`;
  if (mitigationToResolution === undefined) return `${first}; we are still working to restore it for the rest.`;
  return `${first}, and for the rest over the next ${humanDuration(mitigationToResolution)}.`;
}

/**
 * A symptom as it reads after "left customers": "cannot access email" → "unable to access
 * email"; "delayed incoming mail" → "with delayed incoming mail".
 */
export function symptomPhrase(symptom: string): string {
  const text = symptom.replace(/\s+/g, ' ').trim();
  const m = /^(?:cannot|can't|can not|could not|couldn't|unable to|not able to)\s+(.+)$/i.exec(text);
  if (m) return `unable to ${m[1]}`;
  const without = /^(?:no|without)\s+(.+)$/i.exec(text);
  if (without) return `without ${without[1]}`;
  return `with ${text}`;
}

const ACRONYMS = new Set(['pop', 'pop3', 'imap', 'smtp', 'dns', 'ssl', 'tls', 'vpn', 'api', 'sso', 'ftp', 'http', 'https']);

/** A service id as customers read it: "imap" → "IMAP", "smtp-inbound" → "SMTP inbound", "mail-routing" → "mail routing". */
export function serviceLabel(service: string): string {
  return service
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((word) => (ACRONYMS.has(word.toLowerCase()) ? word.toUpperCase() : word))
    .join(' ');
}

/** A public title for a signature line: "our chief executive officer" → "Chief Executive Officer". */
export function signatureTitle(title: string): string {
  return title
    .replace(/^\s*(?:our|the)\s+/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(^|[\s-])([a-z])/g, (_all, pre: string, ch: string) => pre + ch.toUpperCase())
    .replace(/\b(Of|And|The|For|In|On|To)\b/g, (w, _x, offset: number) => (offset === 0 ? w : w.toLowerCase()));
}
