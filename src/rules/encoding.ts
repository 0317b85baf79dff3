import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const encoding: Rule = {
  id: 'encoding',
  severity: 'error',
  description: 'An incident file must be UTF-8 text without NUL bytes, and no YAML value may hold a control character or a lone surrogate (YAML escapes such as `"\\0"`, `"\\e"`, `"\\ud800"`).',
  stage: 'read',
  examples: {
    ok: [{ name: 'UTF-8 text with accents and dashes', files: kb((t) => t.replace('Load balancer overload', 'Überlastung — load balancer')), expect: [] }],
    notOk: [
      {
        name: 'bytes that are not UTF-8',
        files: kb(undefined, { 'incidents/junk.md': new Uint8Array([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe, 0xc3, 0x28]) }),
        expect: ['incidents/junk.md:1:1: error file is not valid UTF-8 text (binary data?) [encoding]'],
      },
      {
        name: 'NUL byte in the body',
        files: kb((t) => t + 'binary\u0000junk\n'),
        expect: [`${BASE_PATH}:29:7: error file contains NUL bytes (binary data?) [encoding]`],
      },
      {
        name: 'control characters and a lone surrogate from YAML escapes',
        files: kb((t) => t.replace('title: Load balancer overload', 'title: "Load\\0 bal\\e ancer"').replace('summary: Customers could not read mail.', 'summary: "Customers could not \\ud800 read mail."')),
        expect: [
          `${BASE_PATH}:3:8: error \`title\` contains U+0000, a control character or half a surrogate pair that cannot be printed (from a YAML escape?); remove it [encoding]`,
          `${BASE_PATH}:13:12: error \`impact.summary\` contains U+D800, a control character or half a surrogate pair that cannot be printed (from a YAML escape?); remove it [encoding]`,
        ],
      },
    ],
  },
};
