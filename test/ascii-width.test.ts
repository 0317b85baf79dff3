import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// string-width's own copies, as cliui, wrap-ansi and yargs import them
import cliuiWidth from '../node_modules/cliui/node_modules/string-width/index.js';
import wrapAnsiWidth from '../node_modules/wrap-ansi/node_modules/string-width/index.js';
import yargsWidth from '../node_modules/yargs/node_modules/string-width/index.js';
import { withAsciiFastPath } from '../scripts/ascii-width.mjs';

/** The bundle's string-width answers exactly as every copy of the real one. */
type Width = (string: string, options?: object) => number;
const COPIES: [string, Width][] = [
  ['cliui', cliuiWidth],
  ['wrap-ansi', wrapAnsiWidth],
  ['yargs', yargsWidth],
];
const samples = [
  '',
  'postmortem <command> [options]',
  '  --root  Knowledge-base root  [string] [default: "."]',
  '\u001b[31mred\u001b[39m',
  'tab\there',
  'line\nbreak',
  '\u007f',
  '日本語',
  '👩‍🚒 fire',
  'e\u0301',
  '#️⃣ 1\u20e3',
];
const chars = fc.constantFrom(...'aZ09 #*~\t\n\r\u001b[m\u007f\u0080\u00a9é\u0301日👍\u200b\ufe0f\u20e3'.split(''));

describe.each(COPIES)('string-width of %s, with the ASCII fast path', (_, real) => {
  const fast = withAsciiFastPath(real);
  it('gives the same width for awkward strings and options', () => {
    for (const s of samples)
      for (const options of [undefined, { countAnsiEscapeCodes: true }, { ambiguousIsNarrow: false }])
        expect([s, fast(s, options)]).toEqual([s, real(s, options)]);
  });
  it('gives the same width for random strings', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: chars })), (s) => fast(s) === real(s)));
  });
});
