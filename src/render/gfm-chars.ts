/**
 * Character classes as micromark (remark's parser) defines them, by UTF-16 code unit, so the
 * markdown-it rules in this folder classify characters exactly as remark did. `NaN` (from
 * `charCodeAt` past the end) stands for micromark's end of input.
 */

import { decodeNamedCharacterReference } from 'decode-named-character-reference';

const PUNCTUATION = /\p{P}|\p{S}/u;
const WHITESPACE = /\s/;

export const isAsciiAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
export const isAsciiAlphanumeric = (c: number): boolean => isAsciiAlpha(c) || (c >= 48 && c <= 57);
export const isAsciiControl = (c: number): boolean => c < 32 || c === 127;
/** Space, tab or line ending (the source is normalised to `\n`). */
export const isSpaceOrLineEnding = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
export const isUnicodeWhitespace = (c: number): boolean => WHITESPACE.test(String.fromCharCode(c));
export const isUnicodePunctuation = (c: number): boolean => PUNCTUATION.test(String.fromCharCode(c));

/** micromark's `classifyCharacter`: 1 whitespace (or edge of input), 2 punctuation, 0 anything else. */
export function classifyCharacter(c: number): 0 | 1 | 2 {
  if (Number.isNaN(c) || isSpaceOrLineEnding(c) || isUnicodeWhitespace(c)) return 1;
  if (isUnicodePunctuation(c)) return 2;
  return 0;
}

/** micromark's `normalizeIdentifier` (labels of definitions, references and footnotes). */
export function normalizeIdentifier(value: string): string {
  return value
    .replace(/[\t\n\r ]+/g, ' ')
    .replace(/^ | $/g, '')
    .toLowerCase()
    .toUpperCase();
}

/** micromark's `decodeNumericCharacterReference`: U+FFFD for what may not appear in HTML. */
function decodeNumeric(value: string, base: number): string {
  const code = Number.parseInt(value, base);
  if (
    code < 9 ||
    code === 11 ||
    (code > 13 && code < 32) ||
    (code > 126 && code < 160) ||
    (code > 55_295 && code < 57_344) ||
    (code > 64_975 && code < 65_008) ||
    (code & 65_535) === 65_535 ||
    (code & 65_535) === 65_534 ||
    code > 1_114_111
  ) {
    return '\uFFFD';
  }
  return String.fromCodePoint(code);
}

/** micromark's `decodeString`: backslash escapes and character references, as in link
 * destinations, titles and code info strings. */
export function decodeString(value: string): string {
  return value.replace(
    /\\([!-/:-@[-`{-~])|&(#(?:\d{1,7}|x[\da-f]{1,6})|[\da-z]{1,31});/gi,
    (all, escaped: string | undefined, reference: string | undefined) => {
      if (escaped) return escaped;
      const name = reference!;
      if (name.charCodeAt(0) === 35) {
        const hex = name.charCodeAt(1) === 120 || name.charCodeAt(1) === 88;
        return decodeNumeric(name.slice(hex ? 2 : 1), hex ? 16 : 10);
      }
      return decodeNamedCharacterReference(name) || all;
    },
  );
}
