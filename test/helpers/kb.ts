import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** A function that makes temporary folders (`pmkb-<name>-…`), and one that removes them all (for `afterAll`). */
export function tempDirs(name: string): { tempDir: () => string; removeAll: () => void } {
  const dirs: string[] = [];
  return {
    tempDir: () => {
      const dir = mkdtempSync(join(tmpdir(), `pmkb-${name}-`));
      dirs.push(dir);
      return dir;
    },
    removeAll: () => dirs.splice(0).forEach(removeKb),
  };
}

/** Every file of a built site (`<out>/site`) but its state (inode numbers and times): path → text. */
export function siteFiles(out: string): Record<string, string> {
  const site = join(out, 'site');
  return Object.fromEntries(
    (readdirSync(site, { recursive: true }) as string[])
      .filter((f) => !f.startsWith('.state') && !statSync(join(site, f)).isDirectory())
      .sort()
      .map((f) => [f, readFileSync(join(site, f), 'utf8')]),
  );
}

/** Appends `suffix` to the title of a generated knowledge base's first incident file; returns that file. */
export function editFirstTitle(kb: string, suffix: string): string {
  const incidents = join(kb, 'incidents');
  const file = join(incidents, String((readdirSync(incidents, { recursive: true }) as string[]).sort().find((f) => f.endsWith('.md'))));
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: (.*)$/m, `title: $1${suffix}`));
  return file;
}
