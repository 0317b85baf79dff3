import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const encoding: Rule = {
  id: 'encoding',
  severity: 'error',
  description: 'An incident file must be UTF-8 text without NUL bytes.',
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
    ],
  },
};
