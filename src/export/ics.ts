/**
 * The few pieces of RFC 5545 (iCalendar) the calendars need: TEXT escaping (§3.3.11) and
 * line folding (§3.1: lines of at most 75 octets, continued on a line starting with a space,
 * never splitting a UTF-8 character), CRLF line ends.
 */

/** A TEXT value: backslash, semicolon, comma and newlines escaped; other control characters dropped. */
export function icsText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

const MAX_OCTETS = 75;

/** One content line folded into lines of at most 75 octets. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // continuation lines start with a space, which counts towards their 75 octets
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

/** A property line `NAME;PARAMS:value` (value already escaped where it is TEXT). */
export type IcsLine = readonly [name: string, value: string];

/** The lines as an iCalendar stream: folded, CRLF-terminated. */
export function icsLines(lines: readonly IcsLine[]): string {
  return lines.map(([name, value]) => `${foldLine(`${name}:${value}`)}\r\n`).join('');
}

/** `2007-06-30` as a DATE value, `20070630`. */
export function icsDate(day: string): string {
  return day.replace(/-/g, '');
}

/** An instant (any ISO 8601 with offset) as a UTC DATE-TIME, `20070604T131000Z`. */
export function icsUtc(instant: { toString(options?: object): string }): string {
  return instant.toString({ smallestUnit: 'second' }).replace(/[-:]/g, '').replace(/\.\d+/, '');
}
