import type { Rule } from './rule.js';
import { BASE_CONFIG, BASE_PATH, kb } from './fixtures.js';

const timeline = (entries: string) => (t: string) => `${t}\n## Timeline\n\n${entries}`;

export const timeFormat: Rule = {
  id: 'time-format',
  severity: 'error',
  description: 'A body timeline time written with a 12-hour clock or a zone abbreviation: the message shows the exact form to write. Abbreviations are read only through the config\'s `zone_abbreviations`, never guessed.',
  stage: 'schema',
  examples: {
    ok: [
      { name: '24-hour times, approximate and day-precision entries', files: kb(timeline('- ~09:20 — Paged the network team.\n- 2007-06-04 — Traffic rerouted.\n')), expect: [] },
      {
        name: 'a zone abbreviation the config maps',
        files: kb(timeline('- 2007-06-04 09:20 EDT — Paged the network team.\n'), { 'postmortem.config.yaml': `${BASE_CONFIG}zone_abbreviations: {EDT: "-04:00"}\n` }),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'a 12-hour clock with a mapped zone, and an unmapped zone',
        files: kb(timeline('- 2007-06-04 9:37 AM EDT — Paged the network team.\n- 10:05 PDT — Called the vendor.\n'), { 'postmortem.config.yaml': `${BASE_CONFIG}zone_abbreviations: {EDT: "-04:00"}\n` }),
        expect: [
          `${BASE_PATH}:32:1: error timeline entry time "09:37 AM EDT" uses a 12-hour clock; write "2007-06-04 09:37 -04:00" [time-format]`,
          `${BASE_PATH}:33:1: error timeline entry time "10:05 PDT" uses the zone abbreviation PDT, which is ambiguous; write "2007-06-04 10:05 ±HH:MM" with the UTC offset PDT stood for, or map it in the config's \`zone_abbreviations\` (e.g. PDT: "-08:00") [time-format]`,
        ],
      },
      {
        name: 'PM with an offset',
        files: kb(timeline('- 2007-06-04 1:15pm -04:00 — Traffic moved.\n')),
        expect: [`${BASE_PATH}:32:1: error timeline entry time "01:15 pm" uses a 12-hour clock; write "2007-06-04 13:15 -04:00" [time-format]`],
      },
    ],
  },
};
