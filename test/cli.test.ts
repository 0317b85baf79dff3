import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BASE_CONFIG, BASE_INCIDENT } from '../src/rules/fixtures.js';
import { removeKb, tempKb } from './helpers/kb.js';
import { CLI, runCli } from './helpers/cli.js';

// End-to-end: the real binary, as a user runs it.
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

const run = runCli;

describe('postmortem (binary)', () => {
  it('--help lists the commands and the global options', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('postmortem check [paths..]');
    expect(r.stdout).toContain('--root');
    expect(r.stdout).toContain('--out');
  });

  it('starts from one ES module: dist/cli.js imports nothing of its own but the ES-module CLI, when it needs it', () => {
    const text = readFileSync(CLI, 'utf8');
    const imported = [...text.matchAll(/^import\s+(?:[^;]*?from\s*)?["']([^"']+)["']/gm)].map((m) => m[1]!);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((name) => !name.startsWith('node:'))).toEqual([]);
    const dynamic = [...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
    expect(dynamic).toEqual(['./cli-main.js']);
    expect(existsSync(join(dirname(CLI), 'cli-main.js'))).toBe(true);
  });

  it('check exits 0 on a clean knowledge base and 1 with located errors', () => {
    const root = tempKb({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/2007-06-04-lb.md': BASE_INCIDENT });
    roots.push(root);
    const ok = run(['check', '--root', root, '--now', '2007-06-05']);
    expect(ok).toEqual({ code: 0, stdout: '1 file checked: no problems.\n', stderr: '' });
    const bad = tempKb({ 'incidents/x.md': '---\nid: [\n---\n' });
    roots.push(bad);
    const r = run(['check'], bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^incidents\/x\.md:\d+:\d+: error malformed YAML: .+ \[yaml-syntax\]\n/);
    expect(r.stderr).toBe('');
  });

  it('an unknown command or option is a short message with exit 2, never a stack trace', () => {
    const r = run(['chekc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('postmortem:');
    expect(r.stderr).toContain('Did you mean check?');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // only the named command's module is loaded: its own options still are checked strictly
    const option = run(['--root', '.', 'check', '--colour']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('Unknown argument: colour');
  });

  it('finds the command after global options and their values, whatever their order', () => {
    const root = tempKb({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/2007-06-04-lb.md': BASE_INCIDENT });
    // `--root <dir>` before the command: the directory is not taken for the command's name
    for (const args of [
      ['--root', root, '--now', '2007-06-05', 'check'],
      [`--root=${root}`, 'check', '--now=2007-06-05'],
      ['check', '--root', root, '--now', '2007-06-05'],
    ]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('1 file checked');
    }
    const help = run(['stats', '--help']);
    expect(help.stdout).toContain('postmortem stats');
    expect(help.stdout).toContain('--by');
  });

  it('init creates a knowledge base that new and check work in', () => {
    const parent = tempKb({});
    roots.push(parent);
    const init = run(['init', 'kb'], parent);
    expect(init.code).toBe(0);
    const kb = join(parent, 'kb');
    expect(readFileSync(join(kb, 'postmortem.config.yaml'), 'utf8')).toContain('# Severities, worst first.');
    expect(existsSync(join(kb, 'incidents'))).toBe(true);
    expect(existsSync(join(kb, 'templates', 'new-incident.md.hbs'))).toBe(true);
    const again = run(['init', 'kb'], parent);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');

    const created = run(['new', 'Mail delayed in Dulles: "queue" stuck', '--root', kb, '--now', '2007-11-04']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created incidents/2007/2007-11-04-mail-delayed-in-dulles-queue-stuck.md');
    const text = readFileSync(join(kb, 'incidents/2007/2007-11-04-mail-delayed-in-dulles-queue-stuck.md'), 'utf8');
    expect(text).toContain('title: "Mail delayed in Dulles: \\"queue\\" stuck"');
    expect(text).toContain('started: 2007-11-04T09:00:00+00:00');
    const check = run(['check', '--root', kb, '--now', '2007-11-04']);
    expect(check.stdout).not.toContain(' error ');
    expect(check.code).toBe(0);
    expect(run(['new', 'Mail delayed in Dulles: "queue" stuck', '--root', kb, '--now', '2007-11-04']).code).toBe(1);
  });
});
