import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeFilesAtomic } from '../src/output/write-file.js';
import { FileError } from '../src/output/file-error.js';
import { scanIncidentFiles } from '../src/kb/files.js';
import { removeKb } from './helpers/kb.js';

// A full disk or an unreadable folder, injected: tests run as root, where chmod stops nothing.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    writeSync: vi.fn(actual.writeSync),
    readdirSync: vi.fn(actual.readdirSync),
    linkSync: vi.fn(actual.linkSync),
    renameSync: vi.fn(actual.renameSync),
  };
});

const failing = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
const dirs: string[] = [];
afterEach(() => {
  vi.mocked(fs.writeSync).mockReset();
  vi.mocked(fs.readdirSync).mockReset();
  vi.mocked(fs.linkSync).mockReset();
  vi.mocked(fs.renameSync).mockReset();
  dirs.splice(0).forEach(removeKb);
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pmkb-io-'));
  dirs.push(dir);
  return dir;
}

describe('a full disk (items 8 and 9)', () => {
  it('is a user error naming the file and what to do', () => {
    vi.mocked(fs.writeSync).mockImplementation(() => {
      throw failing('ENOSPC');
    });
    const path = join(folder(), 'letters', 'x.html');
    let caught: unknown;
    try {
      writeFilesAtomic([{ path, content: 'new' }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FileError);
    expect((caught as FileError).message).toBe(`cannot write ${path}: no space left on the device`);
    expect((caught as FileError).hint).toMatch(/Free some space/);
  });

  it('while a letter is rewritten leaves its whole previous set: HTML, Markdown and PDF', async () => {
    const actual = await vi.importActual<typeof import('node:fs')>('node:fs');
    const dir = folder();
    const files = ['x.html', 'x.md', 'x.pdf'].map((name) => join(dir, name));
    files.forEach((f) => writeFileSync(f, 'old'));
    let writes = 0;
    vi.mocked(fs.writeSync).mockImplementation(((...args: Parameters<typeof actual.writeSync>) => {
      if (++writes === 3) throw failing('ENOSPC'); // the PDF, last
      return (actual.writeSync as (...a: unknown[]) => number)(...args);
    }) as never);
    expect(() => writeFilesAtomic(files.map((path) => ({ path, content: `new ${path}` })))).toThrow(/no space left/);
    expect(files.map((f) => readFileSync(f, 'utf8'))).toEqual(['old', 'old', 'old']);
    expect(readdirSync(dir).sort()).toEqual(['x.html', 'x.md', 'x.pdf']); // no temp file left behind
  });
});

describe("a letter's formats are replaced all or nothing (item 9)", () => {
  /** Makes the `nth` call of `fs[name]` fail with ENOSPC; the other calls do the real thing. */
  async function failNth(name: 'writeSync' | 'linkSync' | 'renameSync', nth: number): Promise<void> {
    const actual = await vi.importActual<typeof import('node:fs')>('node:fs');
    let calls = 0;
    // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the test fails each fs function by name
    vi.mocked(fs[name]).mockImplementation(((...args: unknown[]) => {
      if (++calls === nth) throw failing('ENOSPC');
      return (actual[name] as (...a: unknown[]) => unknown)(...args);
    }) as never);
  }

  /** A letter's three formats, `x.pdf` missing when `pdf` is false; returns the paths. */
  function previousSet(pdf = true): string[] {
    const dir = folder();
    const files = ['x.html', 'x.md', 'x.pdf'].map((name) => join(dir, name));
    files.slice(0, pdf ? 3 : 2).forEach((f) => writeFileSync(f, `old ${f}`));
    return files;
  }

  const rewrite = (files: string[]) => writeFilesAtomic(files.map((path) => ({ path, content: `new ${path}` })));
  const contents = (files: string[]) => files.map((f) => (fs.existsSync(f) ? readFileSync(f, 'utf8') : null));
  const listing = (files: string[]) => readdirSync(join(files[0]!, '..')).sort();

  const steps = [
    ...[1, 2, 3].map((nth) => ({ step: 'writeSync' as const, nth, what: `writing temp file ${nth}` })),
    ...[1, 2, 3].map((nth) => ({ step: 'linkSync' as const, nth, what: `backing up target ${nth}` })),
    ...[1, 2, 3].map((nth) => ({ step: 'renameSync' as const, nth, what: `renaming file ${nth} into place` })),
  ];

  it.each(steps)('a failure $what leaves the previous set and no stray file', async ({ step, nth }) => {
    const files = previousSet();
    await failNth(step, nth);
    expect(() => rewrite(files)).toThrow(/no space left/);
    expect(contents(files)).toEqual(files.map((f) => `old ${f}`));
    expect(listing(files)).toEqual(['x.html', 'x.md', 'x.pdf']);
  });

  it('a failure before a new file is renamed in leaves no such file', async () => {
    const files = previousSet(false);
    await failNth('renameSync', 2); // x.md; x.html was replaced already, the new x.pdf not yet
    expect(() => rewrite(files)).toThrow(/no space left/);
    expect(contents(files)).toEqual([`old ${files[0]}`, `old ${files[1]}`, null]);
    expect(listing(files)).toEqual(['x.html', 'x.md']);
  });

  it('a failure after a new file is in place removes it again', async () => {
    const files = previousSet(false);
    const reordered = [files[2]!, files[0]!, files[1]!]; // the new PDF first
    await failNth('renameSync', 3);
    expect(() => rewrite(reordered)).toThrow(/no space left/);
    expect(contents(files)).toEqual([`old ${files[0]}`, `old ${files[1]}`, null]);
    expect(listing(files)).toEqual(['x.html', 'x.md']);
  });

  it('on success writes the new set and leaves no backup behind', () => {
    const files = previousSet(false);
    expect(rewrite(files)).toEqual([true, true, true]);
    expect(contents(files)).toEqual(files.map((f) => `new ${f}`));
    expect(listing(files)).toEqual(['x.html', 'x.md', 'x.pdf']);
  });
});

describe('an unreadable sub-folder of incidents/ (item 10)', () => {
  it('is an error naming the folder, and the other incidents are still found', async () => {
    const actual = await vi.importActual<typeof import('node:fs')>('node:fs');
    const root = folder();
    mkdirSync(join(root, 'incidents/2007'), { recursive: true });
    mkdirSync(join(root, 'incidents/2008'), { recursive: true });
    writeFileSync(join(root, 'incidents/2007/a.md'), '');
    writeFileSync(join(root, 'incidents/2008/b.md'), '');
    vi.mocked(fs.readdirSync).mockImplementation(((path: string, options: never) => {
      if (String(path).endsWith('2008')) throw failing('EACCES');
      return actual.readdirSync(path, options);
    }) as never);
    const scan = scanIncidentFiles(root);
    expect(scan.files).toEqual(['incidents/2007/a.md']);
    expect(scan.problems).toEqual([
      {
        file: 'incidents/2008',
        line: 1,
        column: 1,
        severity: 'error',
        ruleId: 'incident-files',
        message: 'cannot read this folder (permission denied); the incidents in it are left out',
      },
    ]);
  });
});
