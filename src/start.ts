#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from './code-cache.js';
import { commandNamed } from './commands/names.js';
import { earlyScanWorthIt, rootOf, startEarlyScan } from './db/early-scan.js';
import { startFindScan } from './db/find-scan.js';
import { exitWithoutTeardown } from './quick-exit.js';
import { commandFlags } from './v8-flags.js';

// `postmortem`: a named command runs from a CommonJS bundle with V8's code cache of that command
// (`code-cache.ts`), so that `check` on every save and a `build` with nothing to do compile
// almost nothing: its own bundle when it has one (`dist/check.cjs`), else the
// whole CLI's (`dist/cli.cjs`), under the command's V8 flags (`v8-flags.ts`: set before any code
// cache is read, so every cache is made and taken under them). `--help`, a typo or no command
// (nothing worth caching), and any command without those bundles, from the ES-module bundle
// (`cli.ts`). The same code either way. Every command ends without V8's heap teardown
// (`quick-exit.ts`). `build` first starts the thread that scans the incident files meanwhile
// (`db/early-scan.ts`, imported statically: a dynamic import for `build` only delayed the thread —
// main thread +17 ms against −28 to −38 ms, 8–12 pairs at load ~20; before the flags, so that
// this thread takes `node:worker_threads` from Node's own cache), when a previous build's database
// is large (`earlyScanWorthIt`: below ~300 incidents the thread costs more than it saves). On
// Linux the scan is GNU `find`'s instead (`db/find-scan.ts`), which starts in ~2 ms where a thread
// takes 60–150 ms; the thread is the scan elsewhere.
exitWithoutTeardown();
const bundle = (name: string) => fileURLToPath(new URL(`./${name}.cjs`, import.meta.url));
const named = commandNamed(process.argv.slice(2));
const own = named ? bundle(named) : undefined;
const file = own && [own, bundle('cli')].find((path) => existsSync(path));
const argv = process.argv.slice(2);
const root = named === 'build' ? rootOf(argv) : undefined;
if (root && earlyScanWorthIt(argv, root) && !startFindScan(root)) startEarlyScan(root, bundle('disk-scan'));
if (named) commandFlags(file === own);
if (!(file && runWithCodeCache(file, named!))) await (await import('./cli.js')).main();
