import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

export const timestampOffset: Rule = {
  id: 'timestamp-offset',
  severity: 'error',
  description: 'A timestamp must carry a UTC offset or `Z`; a local time is never guessed.',
  stage: 'schema',
  examples: {
    ok: [
      { name: 'offsets and Z', files: kb((t) => replaceLine(t, 11, 'resolved: 2007-06-04T14:55:00Z')), expect: [] },
      {
        name: 'body entry with a time alone takes the previous offset',
        files: kb((t) => `${t}\n## Timeline\n\n- 09:20 — Paged the network team.\n`),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'local time in the front-matter',
        files: kb((t) => replaceLine(t, 8, 'started: 2007-06-04T09:10:00')),
        expect: [
          `${BASE_PATH}:8:10: error \`started\` "2007-06-04T09:10:00" has no UTC offset; write it with one, e.g. 2007-06-04T09:10:00-05:00 or 2007-06-04T09:10:00Z [timestamp-offset]`,
        ],
      },
      {
        name: 'body entry with a date but no offset',
        files: kb((t) => `${t}\n## Timeline\n\n- 2007-06-04 09:20 — Paged the network team.\n`),
        expect: [
          `${BASE_PATH}:32:1: error timeline entry "2007-06-04 09:20" has no UTC offset; add one, e.g. "2007-06-04 09:20 -05:00" [timestamp-offset]`,
        ],
      },
    ],
  },
};
