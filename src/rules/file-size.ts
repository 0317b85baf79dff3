import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const fileSize: Rule = {
  id: 'file-size',
  severity: 'error',
  description: 'An incident file is at most `validation.max_file_kb` (default 1024 KB); a larger body is not read.',
  stage: 'read',
  examples: {
    ok: [{ name: 'a normal file', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'a 5 MB body',
        files: kb((t) => `${t + 'x'.repeat(5 * 1024 * 1024)}\n`),
        expect: [
          `${BASE_PATH}:26:1: error file is 5121 KB; the limit is 1024 KB (validation.max_file_kb), so its body was not read [file-size]`,
        ],
      },
    ],
  },
};
