#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from './code-cache.js';
import { commandNamed } from './commands/registry.js';

// `postmortem`: a named command runs from the CommonJS bundle of the whole CLI with V8's code
// cache of that command (`code-cache.ts`), so that `check` on every save and a `build` with
// nothing to do compile almost nothing; `--help`, a typo or no command (nothing worth caching),
// and any command without that bundle, from the ES-module bundle (`cli.ts`). The same code either way.
const bundle = fileURLToPath(new URL('./cli.cjs', import.meta.url));
const named = commandNamed(process.argv.slice(2));
if (!(named && runWithCodeCache(bundle, named))) await (await import('./cli.js')).main();
