import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CommandContext } from '../../src/commands/context.js';

/** A temporary knowledge base with the given files (paths relative to its root). */
export function tempKb(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), 'pmkb-'));
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

export function removeKb(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** Captures what a command writes. */
export function captureContext(
  root: string,
  extra: Partial<CommandContext> = {},
): CommandContext & { out_: () => string; err_: () => string } {
  let out = '';
  let err = '';
  return {
    root,
    out: join(root, 'out'),
    stdout: {
      write: (s: string | Uint8Array) => {
        out += typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
        return true;
      },
    },
    stderr: {
      write: (s: string | Uint8Array) => {
        err += typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
        return true;
      },
    },
    color: false,
    ...extra,
    out_: () => out,
    err_: () => err,
  };
}
