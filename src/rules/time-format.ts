import type { Rule } from './rule.js';
import { BASE_CONFIG, BASE_PATH, kb } from './fixtures.js';

const timeline = (entries: string) => (t: string) => `${t}\n## Timeline\n\n${entries}`;

export const timeFormat: Rule = {
  id: 'time-format',
  severity: 'error',
  description:
    "A front-matter timestamp (`started`, `detected`, `mitigated`, `resolved`, window `from`/`to`, timeline `at`) or a body timeline time written with a 12-hour clock or a zone abbreviation: the message shows the exact form to write. Abbreviations are read only through the config's `zone_abbreviations`, never guessed.",
  stage: 'schema',
  examples: {
    ok: [
      {
        name: '24-hour times, approximate and day-precision entries',
        files: kb(timeline('- ~09:20 — Paged the network team.\n- 2007-06-04 — Traffic rerouted.\n')),
        expect: [],
      },
      {
        name: 'a zone abbreviation the config maps',
        files: kb(timeline('- 2007-06-04 09:20 EDT — Paged the network team.\n'), {
          'postmortem.config.yaml': `${BASE_CONFIG}zone_abbreviations: {EDT: "-04:00"}\n`,
        }),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'a 12-hour clock with a mapped zone, and an unmapped zone',
        files: kb(timeline('- 2007-06-04 9:37 AM EDT — Paged the network team.\n- 10:05 PDT — Called the vendor.\n'), {
          'postmortem.config.yaml': `${BASE_CONFIG}zone_abbreviations: {EDT: "-04:00"}\n`,
        }),
        expect: [
          `${BASE_PATH}:32:1: error timeline entry time "09:37 AM EDT" uses a 12-hour clock; write "2007-06-04 09:37 -04:00" [time-format]`,
          `${BASE_PATH}:33:1: error timeline entry time "10:05 PDT" uses the zone abbreviation PDT, which is ambiguous; write "2007-06-04 10:05 ±HH:MM" with the UTC offset PDT stood for, or map it in the config's \`zone_abbreviations\` (e.g. PDT: "-08:00") [time-format]`,
        ],
      },
      {
        name: 'PM with an offset',
        files: kb(timeline('- 2007-06-04 1:15pm -04:00 — Traffic moved.\n')),
        expect: [
          `${BASE_PATH}:32:1: error timeline entry time "01:15 pm" uses a 12-hour clock; write "2007-06-04 13:15 -04:00" [time-format]`,
        ],
      },
      {
        name: 'front-matter timestamps: a 12-hour clock with a mapped zone, an unmapped zone, PM with an offset',
        files: kb(
          (t) =>
            t
              .replace('started: 2007-06-04T09:10:00-04:00', 'started: 2007-06-04 9:10 AM EDT')
              .replace('resolved: 2007-06-04T10:55:00-04:00', 'resolved: 2007-06-04T10:55 PDT')
              .replace('impact:\n', 'impact:\n  windows:\n    - {from: 2007-06-04T09:10:00-04:00, to: 2007-06-04 10:30:00 a.m. -04:00}\n')
              .replace('  - at: 2007-06-04T09:12:00-04:00', '  - at: 2007-06-04 13:12 PM -04:00'),
          { 'postmortem.config.yaml': `${BASE_CONFIG}zone_abbreviations: {EDT: "-04:00"}\n` },
        ),
        expect: [
          `${BASE_PATH}:8:10: error \`started\` "2007-06-04 9:10 AM EDT" uses a 12-hour clock; write "2007-06-04T09:10:00-04:00" [time-format]`,
          `${BASE_PATH}:11:11: error \`resolved\` "2007-06-04T10:55 PDT" uses the zone abbreviation PDT, which is ambiguous; write "2007-06-04T10:55:00±HH:MM" with the UTC offset PDT stood for, or map it in the config's \`zone_abbreviations\` (e.g. PDT: "-08:00") [time-format]`,
          `${BASE_PATH}:14:45: error \`impact.windows[0].to\` "2007-06-04 10:30:00 a.m. -04:00" uses a 12-hour clock; write "2007-06-04T10:30:00-04:00" [time-format]`,
          `${BASE_PATH}:20:9: error \`timeline[0].at\` "2007-06-04 13:12 PM -04:00" is not a real 12-hour time; write a 24-hour time with a UTC offset, e.g. "2007-06-04T09:37:00-05:00" [time-format]`,
        ],
      },
    ],
  },
};
