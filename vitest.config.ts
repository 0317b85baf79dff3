import { defineConfig } from 'vitest/config';

// Unit and integration tests run twice, under two time zones, so nothing depends on the
// machine's zone. Tests that drive Chromium (PDF, site) are slow and run once.
const browser = ['test/**/*.browser.test.ts'];

// `npm run test:quick` (`vitest run --mode quick`), the inner loop: unit tests in one time zone,
// without the files that spawn the built binary, build whole sites and documents, or check
// exhaustively (property and parity runs). `npm test` runs everything.
const notQuick = [
  ...browser,
  'test/cli.test.ts',
  'test/query-cli.test.ts',
  'test/docs.test.ts',
  'test/db-kill.test.ts',
  'test/import-cli.test.ts', // the built binary
  'test/letter.test.ts',
  'test/letter-voice.test.ts',
  'test/site.test.ts',
  'test/site-incremental.test.ts',
  'test/document-keys.test.ts', // whole builds
  'test/letter-audience.test.ts',
  'test/packet-provider-audience.test.ts',
  'test/markdown-parity.test.ts',
  'test/yaml-fast.test.ts', // exhaustive runs
];

export default defineConfig(({ mode }) => ({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects:
      mode === 'quick'
        ? [{ extends: true, test: { name: 'quick', include: ['test/**/*.test.ts'], exclude: notQuick, env: { TZ: 'UTC' } } }]
        : [
            { extends: true, test: { name: 'utc', include: ['test/**/*.test.ts'], exclude: browser, env: { TZ: 'UTC' } } },
            {
              extends: true,
              test: { name: 'new-york', include: ['test/**/*.test.ts'], exclude: browser, env: { TZ: 'America/New_York' } },
            },
            {
              extends: true,
              test: { name: 'browser', include: browser, env: { TZ: 'America/New_York' }, testTimeout: 180_000, fileParallelism: false },
            },
          ],
  },
}));
