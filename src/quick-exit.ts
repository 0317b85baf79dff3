/**
 * Ends the process where Node would end it, without V8's heap teardown. When nothing is left to
 * run (no handle, request or timer keeps the event loop alive: every write done, libuv's
 * threads' included), Node emits `exit`, then frees the environment and disposes of the V8 heap,
 * page by page (`munmap`), which the kernel does anyway when the process ends. `process.exit()`
 * from the last `exit` listener ends the process there, with the same exit code, after every
 * other listener (the code cache's write, `code-cache.ts`). The listener is moved to the end at
 * every `beforeExit`, the last thing to run before Node decides to exit; if another listener was
 * added after that, it is not the last and does nothing (the process ends as before).
 */
export function exitWithoutTeardown(): void {
  const last = (): void => {
    if (process.listeners('exit').at(-1) === last) process.exit();
  };
  process.on('beforeExit', () => {
    process.off('exit', last);
    process.on('exit', last);
  });
}
