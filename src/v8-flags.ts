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
 * Node's own modules are therefore compiled without Node's built-in cache (made under V8's
 * defaults): ~16 ms of a title edit at 10,000. Loading them under the defaults and switching the
 * flag back was measured (eleventh round, start12) and removed: the flags are the process's, so a
 * worker thread that read or wrote its code cache during the switch named it by other flags, and
 * the next build compiled that thread's code again (`test/code-cache.test.ts` failed in CI).
 */
const COMMAND_FLAG = '--no-use-osr';

/** The command's flags, from now on (`start.ts`: before any code cache is read). */
export function commandFlags(): void {
  setFlagsFromString(COMMAND_FLAG);
}
