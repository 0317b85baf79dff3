import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../src/commands/context.js';
import { runCheck } from '../src/commands/check.js';
import { runLetter } from '../src/commands/letter.js';
import { runNew } from '../src/commands/new.js';
import { runSql } from '../src/commands/sql.js';
import { asUserError } from '../src/output/file-error.js';
import { BASE_CONFIG, BASE_INCIDENT } from '../src/rules/fixtures.js';
import { propertyRuns } from './helpers/runs.js';

/**
 * Issue 12's property: file names, ids, --name/--db/--out values and config keys drawn from a
 * hostile alphabet never create or change a file outside the root and the output folder (or the
 * database named), never end in an internal error, and every failure names what it refused.
 */
const PIECES = [
  '..',
  '/',
  '\u0000',
  '\n',
  '__proto__',
  'constructor',
  'x'.repeat(260),
  '\u200b',
  '\u202e',
  'a',
  '.',
  '-',
  'É',
  ' ',
  'incidents',
  'out',
  '~',
  '%2e%2e',
];
const hostile = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 5 }).map((parts) => parts.join(''));

/** Every path under `dir` with a digest of its content ('dir' for folders). */
function snapshot(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) {
        found.set(full, 'dir');
        walk(full);
      } else {
        found.set(full, lstatSync(full).isFile() ? createHash('sha256').update(readFileSync(full)).digest('hex') : 'other');
      }
    }
  };
  walk(dir);
  return found;
}

const inside = (path: string, folder: string) => path === folder || path.startsWith(folder + sep);

function context(root: string, out: string): CommandContext {
  const sink = { write: () => true };
  return { root, out, now: '2007-07-01', stdout: sink, stderr: sink, color: false };
}

/** Runs one command; a failure must be a user error that names the value or a path. */
async function attempt(action: () => unknown, named: readonly string[], sandbox: string): Promise<void> {
  try {
    await action();
  } catch (error) {
    const expected = asUserError(error);
    expect(expected, `internal error: ${(error as Error).stack}`).toBeDefined();
    const text = `${expected!.message}`;
    // the value as typed, the path it resolves to (`--db /..` is about `/`), or its file name (files
    // kept beside the database, `.NAME.cache`, carry it) — as typed or quoted with escapes
    const forms = (v: string) => {
      const path = resolve(sandbox, v);
      return [v, ...[path, basename(path)].filter((f) => f.length > 1)].flatMap((f) => [f.slice(0, 30), JSON.stringify(f).slice(1, 30)]);
    };
    const names =
      named.some((v) => forms(v).some((f) => text.includes(f)) || text.startsWith(`${resolve(sandbox, v)} `)) ||
      text.includes(sandbox) ||
      /(postmortem\.config\.yaml|incidents\/|--\w+|\.md\b|\.db\b)/.test(text);
    expect(names, `the message names no path: ${text}`).toBe(true);
  }
}

describe('hostile file names, ids, --name, --db, --out and config keys (issue 12)', () => {
  it('never write outside the root and out, never crash, always name a path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ file: hostile, id: hostile, name: hostile, db: hostile, out: hostile, key: hostile }), async (v) => {
        // cwd-relative values are resolved from four levels down, so no `..` climbs out of the sandbox
        const sandbox = mkdtempSync(join(tmpdir(), 'pmkb-hostile-'));
        try {
          const root = join(sandbox, 'a', 'b', 'c', 'kb');
          mkdirSync(join(root, 'incidents'), { recursive: true });
          writeFileSync(join(sandbox, 'canary.txt'), 'precious');
          writeFileSync(join(root, 'postmortem.config.yaml'), `${BASE_CONFIG}provider_names:\n  ${JSON.stringify(v.key)}: Name\n`);
          writeFileSync(join(root, 'incidents', '2007-06-04-lb.md'), `${BASE_INCIDENT}\n## Customer summary\n\nMail was slow.\n`);
          try {
            writeFileSync(join(root, 'incidents', `${v.file}.md`), BASE_INCIDENT);
          } catch {
            // a name no file system takes: nothing to scan
          }
          const out = resolve(root, v.out);
          const db = resolve(root, v.db);
          const before = snapshot(sandbox);
          const ctx = context(root, out);
          await attempt(() => runCheck(ctx), [v.file], sandbox);
          await attempt(() => runNew(ctx, { title: 'Hostile', id: v.id }), [v.id], sandbox);
          await attempt(() => runSql(ctx, 'select 1', { db }), [v.db, v.out], sandbox);
          await attempt(() => runLetter(ctx, { ids: ['2007-06-04-lb'], name: v.name, formats: ['html', 'md'] }), [v.name, v.out], sandbox);
          const after = snapshot(sandbox);
          const allowed = (path: string) => inside(path, root) || inside(path, out) || inside(path, resolve(db, '..'));
          const touched = [...after].filter(([path, digest]) => before.get(path) !== digest).map(([path]) => path);
          const gone = [...before.keys()].filter((path) => !after.has(path));
          expect(touched.filter((p) => !allowed(p)).map((p) => relative(sandbox, p))).toEqual([]);
          expect(gone.map((p) => relative(sandbox, p))).toEqual([]);
          expect(readFileSync(join(sandbox, 'canary.txt'), 'utf8')).toBe('precious');
        } finally {
          rmSync(sandbox, { recursive: true, force: true });
        }
      }),
      { numRuns: propertyRuns(Number(process.env.HOSTILE_RUNS ?? 25)) },
    );
  });
});
