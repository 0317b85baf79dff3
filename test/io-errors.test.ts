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
  return { ...actual, writeSync: vi.fn(actual.writeSync), readdirSync: vi.fn(actual.readdirSync) };
});

const failing = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
const dirs: string[] = [];
afterEach(() => {
  vi.mocked(fs.writeSync).mockReset();
  vi.mocked(fs.readdirSync).mockReset();
  dirs.splice(0).forEach(removeKb);
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pmkb-io-'));
  dirs.push(dir);
  return dir;
}

describe('a full disk (items 8 and 9)', () => {
  it('is a user error naming the file and what to do', () => {
    vi.mocked(fs.writeSync).mockImplementation(() => { throw failing('ENOSPC'); });
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
    expect(scan.problems).toEqual([{
      file: 'incidents/2008', line: 1, column: 1, severity: 'error', ruleId: 'incident-files',
      message: 'cannot read this folder (permission denied); the incidents in it are left out',
    }]);
  });
});
