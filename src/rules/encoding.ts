import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const encoding: Rule = {
  id: 'encoding',
  severity: 'error',
  description:
    'An incident file must be UTF-8 text, and neither a YAML value (escapes such as `"\\0"`, `"\\e"`, `"\\ud800"`) nor the Markdown body (a raw ESC or NUL byte) may hold a control character other than tab and line ends, or a lone surrogate: they cannot be printed, so such an incident reaches neither the database nor a letter.',
  stage: 'read',
  examples: {
    ok: [
      {
        name: 'UTF-8 text with accents and dashes',
        files: kb((t) => t.replace('Load balancer overload', 'Überlastung — load balancer')),
        expect: [],
      },
      {
        name: 'tabs and CRLF line ends in the body',
        files: kb((t) => t.replace('Traffic overloaded', '\tTraffic\toverloaded').replaceAll('\n', '\r\n')),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'bytes that are not UTF-8',
        files: kb(undefined, { 'incidents/junk.md': new Uint8Array([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe, 0xc3, 0x28]) }),
        expect: ['incidents/junk.md:1:1: error file is not valid UTF-8 text (binary data?) [encoding]'],
      },
      {
        name: 'a binary file with NUL bytes',
        files: kb(undefined, { 'incidents/utf16.md': new Uint8Array([0x2d, 0x00, 0x2d, 0x00, 0x2d, 0x00, 0x0a, 0x00]) }),
        expect: ['incidents/utf16.md:1:2: error file contains NUL bytes (binary data?) [encoding]'],
      },
      {
        name: 'raw control characters in the body: NUL, ESC from a terminal',
        files: kb(
          (t) =>
            t.replace('## Summary', 'Intro \u0007\n\n## Summary') +
            'binary\u0000junk\n\n## Customer summary\n\nWe \u001b[31mfailed\u001b[0m.\n',
        ),
        expect: [
          `${BASE_PATH}:26:7: error the body contains U+0007, a control character that cannot be printed; remove it [encoding]`,
          `${BASE_PATH}:31:7: error section "Summary" contains U+0000, a control character that cannot be printed; remove it [encoding]`,
          `${BASE_PATH}:35:4: error section "Customer summary" contains U+001B, a control character that cannot be printed; remove it [encoding]`,
          `${BASE_PATH}:35:15: error section "Customer summary" contains U+001B, a control character that cannot be printed; remove it [encoding]`,
        ],
      },
      {
        name: 'control characters and a lone surrogate from YAML escapes',
        files: kb((t) =>
          t
            .replace('title: Load balancer overload', 'title: "Load\\0 bal\\e ancer"')
            .replace('summary: Customers could not read mail.', 'summary: "Customers could not \\ud800 read mail."'),
        ),
        expect: [
          `${BASE_PATH}:3:8: error \`title\` contains U+0000, a control character or half a surrogate pair that cannot be printed (from a YAML escape?); remove it [encoding]`,
          `${BASE_PATH}:13:12: error \`impact.summary\` contains U+D800, a control character or half a surrogate pair that cannot be printed (from a YAML escape?); remove it [encoding]`,
        ],
      },
    ],
  },
};
