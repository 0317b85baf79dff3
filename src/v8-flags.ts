import { createRequire, isBuiltin } from 'node:module';
import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flags a command runs under, and Node's own modules loaded under V8's defaults.
 *
 * No on-stack replacement: V8 compiles a function whose loop has run long with TurboFan, on a
 * helper thread, to enter the optimised code in the middle of that loop; in a command that runs
 * for a second, such a loop has mostly ended by the time that code is ready. A title edit at
 * 10,000 made ~27 of those compiles, ~85 ms of the helper threads' CPU (a tenth of the command),
 * for no time saved on the main thread (docs/performance.md, tenth round: start11). Functions
 * called often are still optimised as before. The flag is V8's, for the whole process (worker
 * threads included), set before any code cache is read, so every cache is made and taken under it.
 */
const COMMAND_FLAG = '--no-use-osr';
const DEFAULT_FLAG = '--use-osr';

/** The command's flags, from now on (`start.ts`: before any code cache is read). */
export function commandFlags(): void {
  setFlagsFromString(COMMAND_FLAG);
}

/**
 * The `require` of a bundle (at `path`) run under `commandFlags`, which loads Node's own modules
 * under V8's defaults. Node compiles its modules with a code cache of its own, made into its
 * binary under V8's default flags; V8 refuses a cache made under other flags (a hash of them is in
 * it), so under `--no-use-osr` every Node module a command loaded was compiled from its source
 * (28 in an edit build: `assert`, `child_process`, `zlib`, `worker_threads`, `perf_hooks`…; ~13
 * against ~6 ms of CPU for eight of them). Node keeps one such cache for every thread and makes a
 * module's entry again under the flags of the thread that compiled it without: compiled here, it
 * would also be refused to a thread started under the defaults. The flag is put back as soon as
 * the module is loaded (its top-level code runs no long loop). Node's modules it loads itself on
 * first use (`performance`, `process.stdout` to a file, `fs.rmSync` of a folder) are compiled
 * under the command's flags as before, and so is the start of a worker thread (its ~90 modules:
 * ~26 ms more CPU per thread; started under the defaults, a thread could read their hash to name
 * its own cache while other threads start: `threads/worker.ts`). Only the main thread's bundle is
 * given this `require`; its Node modules load when the bundle and a command's modules start.
 */
export function requireUnderNodeFlags(path: string): NodeJS.Require {
  const require = createRequire(path);
  const loaded = new Set<string>();
  const load = (id: string): unknown => {
    if (loaded.has(id) || !isBuiltin(id)) return require(id);
    setFlagsFromString(DEFAULT_FLAG);
    try {
      return require(id);
    } finally {
      setFlagsFromString(COMMAND_FLAG);
      loaded.add(id);
    }
  };
  return Object.assign(load, require);
}
