#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from './code-cache.js';
import { commandNamed } from './commands/registry.js';

// `postmortem`: `check`, the command an editor or a pre-commit hook runs on every save, runs from
// its own CommonJS bundle with V8's code cache (`code-cache.ts`); every other command, and
// `check` without that bundle, from the ES-module bundle (`cli.ts`). The same code either way.
const checkBundle = fileURLToPath(new URL('./check.cjs', import.meta.url));
if (!(commandNamed(process.argv.slice(2)) === 'check' && runWithCodeCache(checkBundle))) await (await import('./cli.js')).main();
