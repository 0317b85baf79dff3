import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flags a command runs under.
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

/**
 * Node's own modules that the command's bundle loads (`--expose-internals`,
 * `getCacheUsage()`: yargs loads `assert` and `process`; every command of `dist/cli.cjs` also
 * loads the database's and the threads' modules), loaded before the flag is set. Node's cache of
 * its modules is made into the binary under V8's default flags, and V8 refuses a cache made under
 * other flags: loaded after the flag, each of them and their internals (18 for a build) was
 * compiled from its source (~16 ms of a title edit at 10,000; docs/performance.md, eleventh round:
 * start12). Loading them under the defaults and switching the flag back each time was measured
 * then and removed (a worker thread reading its cache during the switch named it by other flags);
 * here no thread exists yet and the flag is set once. A module left off this list is only
 * compiled without the cache, as before (`test/code-cache.test.ts` checks a build's).
 */
const OF_ANY_COMMAND = ['assert', 'process'];
const OF_THE_CLI = [...OF_ANY_COMMAND, 'child_process', 'fs/promises', 'worker_threads', 'zlib'];

/**
 * The command's flags, from now on (`start.ts`: before any code cache is read, and before any
 * thread starts), with Node's modules its bundle loads loaded first (`ownBundle`: `dist/check.cjs`,
 * which loads only `OF_ANY_COMMAND`).
 */
export function commandFlags(ownBundle: boolean): void {
  for (const name of ownBundle ? OF_ANY_COMMAND : OF_THE_CLI) process.getBuiltinModule(`node:${name}`);
  setFlagsFromString(COMMAND_FLAG);
}
