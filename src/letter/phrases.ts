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

/** Units counted as people (or their accounts): a share of them is "of affected customers". */
const PEOPLE = new Set(['customers', 'users', 'players', 'accounts', 'mailboxes', 'organizations', 'visitors', 'subscribers']);

/** A unit in the customer's words: "customers" → "affected customers", "network" → "our network". */
export function unitPhrase(of: string): string {
  const unit = plainText(of);
  return PEOPLE.has(unit.toLowerCase()) ? `affected ${unit}` : `our ${unit}`;
}

/** A window scope as words: "85% of our network", "883 sites". */
export function scopePhrase(scope: { kind: 'percent' | 'count'; value: number; of: string }): string {
  if (scope.kind === 'count') return `${scope.value.toLocaleString('en-US')} ${plainText(scope.of)}`;
  return `${percentPhrase(scope.value)} of our ${plainText(scope.of)}`;
}

/** What an impact level did, as the subject of "affected ...". */
export const LEVEL_PHRASES = {
  outage: 'the outage',
  'partial-outage': 'a partial outage',
  degraded: 'slower or degraded service',
  delayed: 'delays',
  'data-loss': 'data loss',
} as const;

/**
 * Plain customer text as customers should read it: never markup shown as literal text.
 * Script and style elements go with their content, other tags are dropped, Markdown links
 * and images keep their words only, and white space is collapsed.
 */
export function plainText(text: string): string {
  return (
    text
      .replace(/<(script|style)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
      // inline tags join their words ("de<b>lay</b>ed" is "delayed"); any other tag separates them
      .replace(/<\/?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var)\b[^>]*>?/gi, '')
      .replace(/<\/?[a-z][^>]*>?/gi, ' ')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Text that reads as a sentence: a capital first, at least three words, a full stop at the end. */
export function isSentence(text: string): boolean {
  const value = text.replace(/\s+/g, ' ').trim();
  return /^[\p{Lu}\p{Lo}"'“‘(]/u.test(value) && /[.!?]["'”’)]?$/u.test(value) && value.split(' ').length >= 3;
}

/** How a public owner is introduced once: "Bill Boebel, our chief technology officer"; "CrowdStrike engineering", not "CrowdStrike, CrowdStrike engineering". */
export function leaderPhrase(name: string, title: string): string {
  if (!title) return name;
  if (title.toLowerCase().includes(name.toLowerCase())) return title;
  if (name.toLowerCase().includes(title.toLowerCase())) return name;
  return `${name}, ${title}`;
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
