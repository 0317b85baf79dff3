import { defineConfig } from 'vitest/config';

// Unit and integration tests run twice, under two time zones, so nothing depends on the
// machine's zone. Tests that drive Chromium (PDF, site) are slow and run once.
const browser = ['test/**/*.browser.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'utc', include: ['test/**/*.test.ts'], exclude: browser, env: { TZ: 'UTC' } } },
      { extends: true, test: { name: 'new-york', include: ['test/**/*.test.ts'], exclude: browser, env: { TZ: 'America/New_York' } } },
      { extends: true, test: { name: 'browser', include: browser, env: { TZ: 'America/New_York' }, testTimeout: 180_000, fileParallelism: false } },
    ],
  },
});
