import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests that drive Chromium (PDF, site) are slow and run once, one file at a time.
const browser = ['test/**/*.browser.test.ts'];

// Files that replace a module (`vi.mock`) get a module registry of their own; every other file
// shares its worker's modules with the files before it (`isolate: false`), which saves importing
// the same sources again for each file. The files leave no state behind: each builds in its own
// temporary folder and restores what it changes (`CHROMIUM_PATH`, fake timers). Workers are
// processes (`forks`), so each has its own TZ, environment and native modules.
const isolated = ['test/io-errors.test.ts'];
const shared = { pool: 'forks', isolate: false } as const;

// The tool takes every time zone from the config (`timezone:`), never from the machine. These
// files assert what depends on time zones (dates, clock times, durations, day/month/quarter
// boundaries, "today", git dates) or prove that nothing depends on the machine's zone, so they
// run under UTC and under America/New_York. Every other file asserts what no zone can change
// (paths, exit codes, escaping, caches, leaks, parser parity, search) and runs once, under UTC
// (`--project utc` runs any file but the browser ones).
const zoned = [
  'test/time.test.ts', // parseTimestamp: offsets, DST gaps and overlaps
  'test/rules.test.ts', // timestamp order, local times that do not exist or are ambiguous
  'test/check.test.ts',
  'test/hostile-content.test.ts', // config time zones, dates far from today
  'test/db-build.test.ts', // instants and durations stored in the database
  'test/db-record.test.ts',
  'test/db-fast-read.test.ts', // the fast reader's timestamps equal the full reader's
  'test/query-stats.test.ts', // per-quarter groups, times to detect and resolve
  'test/query-availability.test.ts',
  'test/query-actions.test.ts', // overdue as of a day
  'test/query-recurrence.test.ts', // fix dates
  'test/credits.test.ts', // monthly windows
  'test/public-incidents.test.ts', // real incidents in several zones
  'test/history.test.ts', // commit dates, --as-of days
  'test/import.test.ts', // dates read from other tools' files
  'test/export.test.ts', // Atom and Statuspage times
  'test/export-ics.test.ts', // calendar dates
  'test/export-roundtrip.test.ts',
  'test/letter-golden.test.ts', // letter text: dates, clock times, durations
  'test/letter-parts.test.ts',
  'test/letter-record.test.ts',
  'test/letter-voice.test.ts',
  'test/letter.test.ts', // durations across DST changes
  'test/packet.test.ts', // periods, months, "as of"
  'test/packet-brief.test.ts',
  'test/packet-delta.test.ts', // the same bytes whatever the clock says
  'test/packet-layout.test.ts', // an incident on the last evening of a month
  'test/packet-provider.test.ts',
  'test/site.test.ts', // the site's zone formats against Intl's
  'test/cli.test.ts', // `new` writes the start time in the config's zone
];

// `npm run test:quick` (`vitest run --mode quick`), the inner loop: the unit tests, in one time zone.
// A unit test calls functions in its own process over small fixtures. Files that do any of what
// follows are integration tests and run in `npm test` only (every new file is quick until listed).
const notQuick = [
  // drive Chromium
  ...browser,
  // run the built binary (quick does not compile it), git or a server
  'test/cli.test.ts',
  'test/query-cli.test.ts',
  'test/docs.test.ts',
  'test/db-kill.test.ts',
  'test/import-cli.test.ts',
  'test/export-cli.test.ts',
  'test/paths.test.ts',
  'test/code-cache.test.ts', // the built binary and dist/code-cache.js
  'test/build-id.test.ts', // dist/build-id and a copy of the built binary
  'test/early-scan.test.ts', // dist/disk-scan.cjs on a thread, and whole builds
  'test/quick-exit.test.ts', // dist/quick-exit.js and the built binary, in processes of their own
  'test/export-roundtrip.test.ts',
  'test/lazy-render.test.ts',
  'test/history.test.ts',
  'test/serve.test.ts',
  'test/hostile-content.test.ts',
  // build whole sites, letters, packets or the example knowledge base
  'test/native-templates.test.ts',
  'test/hostile-keys.test.ts', // \`build\` and \`letter\` of a knowledge base whose ids are Object's keys
  'test/db-replay.test.ts', // whole \`build\` commands, with and without the replay
  'test/db-build-command.test.ts', // whole \`build\` commands
  'test/letter.test.ts',
  'test/letter-voice.test.ts',
  'test/site.test.ts',
  'test/site-incremental.test.ts',
  'test/search.test.ts',
  'test/document-keys.test.ts',
  'test/public-incidents.test.ts',
  'test/packet.test.ts',
  'test/packet-brief.test.ts',
  'test/packet-delta.test.ts',
  'test/packet-provider.test.ts',
  // check exhaustively (whole-document properties, parity runs)
  'test/letter-audience.test.ts',
  'test/packet-provider-audience.test.ts',
  'test/markdown-parity.test.ts',
  'test/yaml-fast.test.ts',
];
// The property tests that stay in quick run a twentieth of their cases there (test/helpers/runs.ts).
const quickRuns = { QUICK_RUNS: '1' };

const all = ['test/**/*.test.ts'];
const UTC = { TZ: 'UTC' };
const NEW_YORK = { TZ: 'America/New_York' };

export default defineConfig(({ mode }) => ({
  test: {
    // vitest's default leaves a core to its main process, which mostly waits: on two cores that
    // would be one test file at a time.
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    // TEST_CPU_LOG=<file>: one line per test file with its CPU time (test/helpers/cpu-time.ts).
    setupFiles: process.env.TEST_CPU_LOG ? ['test/helpers/cpu-time.ts'] : [],
    hookTimeout: 120_000,
    projects:
      mode === 'quick'
        ? [
            {
              extends: true,
              test: { name: 'quick', ...shared, include: all, exclude: [...notQuick, ...isolated], env: { ...UTC, ...quickRuns } },
            },
            { extends: true, test: { name: 'quick-isolated', include: isolated, env: { ...UTC, ...quickRuns } } },
          ]
        : [
            { extends: true, test: { name: 'utc', ...shared, include: all, exclude: [...browser, ...isolated], env: UTC } },
            { extends: true, test: { name: 'utc-isolated', include: isolated, env: UTC } },
            { extends: true, test: { name: 'new-york', ...shared, include: zoned, env: NEW_YORK } },
            {
              extends: true,
              test: { name: 'browser', include: browser, env: NEW_YORK, testTimeout: 180_000, fileParallelism: false },
            },
          ],
  },
}));
