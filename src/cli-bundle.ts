import { main } from './cli.js';

// Entry of dist/cli.cjs (scripts/bundle.mjs), which `start.ts` runs for every named command.
void main();
