import type { Output } from '../commands/context.js';

/** Progress on a terminal, shown only once a build has run for about a second; nothing otherwise. */
export function createProgress(stream: Output, startedMs: number, label: string, total: number) {
  const enabled = Boolean(stream.isTTY) && total > 0;
  let shown = false;
  let last = 0;
  return {
    update(done: number): void {
      if (!enabled) return;
      const now = Date.now();
      if (now - startedMs < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r${label}: ${done}/${total} (${Math.floor((100 * done) / total)}%)`);
    },
    done(): void {
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}
