import { main } from './cli.js';

// Entry of dist/check.cjs (scripts/bundle.mjs), which `start.ts` runs for `postmortem check`.
void main();
