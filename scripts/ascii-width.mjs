// The bundle's stand-in for `string-width` (see scripts/bundle.mjs): yargs' help measures every
// line and cell with it, and the real one walks Intl.Segmenter graphemes through an emoji regex
// (a third of `postmortem --help`'s CPU). A string of printable ASCII is one column per
// character in every version the tree holds (test/ascii-width.test.ts); anything else, escape
// codes included, is measured by the real one.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** `stringWidth`, answering printable ASCII itself and asking `real` for everything else. */
export function withAsciiFastPath(real) {
  return (string, options) => (typeof string === 'string' && PRINTABLE_ASCII.test(string) ? string.length : real(string, options));
}
