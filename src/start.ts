#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runWithCodeCache } from './code-cache.js';
import { commandNamed } from './commands/registry.js';

// `postmortem`: a named command runs from a CommonJS bundle with V8's code cache of that command
// (`code-cache.ts`), so that `check` on every save and a `build` with nothing to do compile
// almost nothing: its own bundle when it has one (`dist/check.cjs`), else the
// whole CLI's (`dist/cli.cjs`). `--help`, a typo or no command (nothing worth caching), and any
// command without those bundles, from the ES-module bundle (`cli.ts`). The same code either way.
// No on-stack replacement: V8 compiles a function whose loop has run long with TurboFan, on a
// helper thread, to enter the optimised code in the middle of that loop; in a command that runs
// for a second, such a loop has mostly ended by the time that code is ready. A title edit at
// 10,000 made ~27 of those compiles, ~85 ms of the helper threads' CPU (a tenth of the command),
// for no time saved on the main thread (docs/performance.md, tenth round: start11). Functions
// called often are still optimised as before, and a cold build, whose loops run long, loses
// nothing measurable. The flag is V8's, for the whole process (worker threads included), set
// before any code cache is read, so every cache is made and taken under it.
setFlagsFromString('--no-use-osr');
const bundle = (name: string) => fileURLToPath(new URL(`./${name}.cjs`, import.meta.url));
const named = commandNamed(process.argv.slice(2));
if (!(named && (runWithCodeCache(bundle(named), named) ?? runWithCodeCache(bundle('cli'), named)))) await (await import('./cli.js')).main();
