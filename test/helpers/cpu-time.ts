import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';

/**
 * Per-file CPU time, for measuring the suite on a shared machine where wall times say little:
 * `TEST_CPU_LOG=/tmp/cpu.log npx vitest run ...` appends one line per file: CPU ms (this
 * process and the children it waited for: git, the binary, Chromium), wall ms, TZ, file.
 * Linux only (`/proc/self/stat`); set up by vitest.config.ts when TEST_CPU_LOG is set.
 */
function cpuMs(): number {
  // Fields after the command's ")": utime, stime, cutime and cstime are the 12th to 15th, in ticks of 10 ms.
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * 10;
}

let cpu = 0;
let wall = 0;
beforeAll(() => {
  cpu = cpuMs();
  wall = Date.now();
});
afterAll(() => {
  const file = (expect.getState().testPath ?? '').replace(/.*\/test\//, 'test/');
  appendFileSync(process.env.TEST_CPU_LOG ?? '/dev/null', `${cpuMs() - cpu}\t${Date.now() - wall}\t${process.env.TZ}\t${file}\n`);
});
