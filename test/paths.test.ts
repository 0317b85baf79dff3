import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { BASE_CONFIG, BASE_INCIDENT, kb } from '../src/rules/fixtures.js';
import { removeKb, tempKb } from './helpers/kb.js';
import { runCli } from './helpers/cli.js';

// Issue 12: nothing a user types destroys a file or crashes the tool, through the real binary.
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

const run = runCli;

function base(extra: Record<string, string> = {}): string {
  const root = tempKb(kb((t) => t, extra));
  roots.push(root);
  return root;
}

/** Every file under `dir` (relative, sorted). */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

describe('--db only ever replaces a database this tool made (item 1)', () => {
  it('a read-only command leaves a text file named by --db alone', () => {
    const root = base({ 'notes.txt': 'precious\n' });
    const r = run(['sql', '--root', root, '--db', join(root, 'notes.txt'), 'select 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('notes.txt is not a database this tool made; it was left alone');
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe('precious\n');
  });

  it('builds with --db naming an incident destroy nothing', () => {
    const root = base();
    const before = readFileSync(join(root, 'incidents/2007-06-04-lb.md'), 'utf8');
    for (let n = 0; n < 2; n++) {
      const r = run(['build', '--root', root, '--db', join(root, 'incidents/2007-06-04-lb.md')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--db .*incidents\/2007-06-04-lb\.md is inside incidents\//);
    }
    expect(readFileSync(join(root, 'incidents/2007-06-04-lb.md'), 'utf8')).toBe(before);
    expect(tree(join(root, 'incidents'))).toEqual(['2007-06-04-lb.md']);
  });

  it('an SQLite database of another program is left alone too; its own database is rebuilt', () => {
    const root = base();
    expect(run(['sql', '--root', root, '--db', join(root, 'kb.db'), 'select 1']).code).toBe(0);
    expect(run(['sql', '--root', root, '--db', join(root, 'kb.db'), 'select 1']).code).toBe(0);
    const other = join(root, 'other.db');
    spawnSync(process.execPath, [
      '-e',
      `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const d = new D(${JSON.stringify(other)}); d.exec('create table t(x)'); d.pragma('application_id = 7'); d.close();`,
    ]);
    const bytes = readFileSync(other);
    const r = run(['sql', '--root', root, '--db', other, 'select 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('other.db is an SQLite database this tool did not make');
    expect(readFileSync(other).equals(bytes)).toBe(true);
  });
});

describe('new: ids are validated like incident ids (item 6)', () => {
  it('refuses an id that leaves the knowledge base or makes folders, and writes nothing', () => {
    const root = base();
    const before = tree(root);
    for (const id of ['../../../escaped', join(root, 'abs/dir/y'), 'UPPER', '-x', 'a'.repeat(201)]) {
      const r = run(['new', '--root', root, '--now', '2007-07-01', `--id=${id}`, 'A title']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('is not a valid id: it becomes a file name');
    }
    expect(tree(root)).toEqual(before);
    expect(existsSync(join(root, '..', '..', 'escaped.md'))).toBe(false);
  });

  it('refuses an id another incident already has', () => {
    const root = base();
    const r = run(['new', '--root', root, '--now', '2007-07-01', '--id', '2007-06-04-lb', 'Again']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the id 2007-06-04-lb is already used by incidents/2007-06-04-lb.md');
    expect(existsSync(join(root, 'incidents/2007/2007-06-04-lb.md'))).toBe(false);
  });
});

describe('ordinary I/O conditions are user errors naming the path (item 8)', () => {
  it('a config that is a folder', () => {
    const root = tempKb({ 'incidents/x.md': BASE_INCIDENT });
    roots.push(root);
    mkdirSync(join(root, 'postmortem.config.yaml'));
    const r = run(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read the config .*postmortem\.config\.yaml: it is a folder, not a file/);
  });

  it('a --name longer than a file name may be', () => {
    const root = base();
    const r = run(['letter', '--root', root, '--name', 'a'.repeat(300), '2007-06-04-lb']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('letter name "aaaa');
    expect(r.stderr).toContain('is not a valid id');
  });

  it('init aimed at a file', () => {
    const root = base({ 'file.txt': 'x' });
    const r = run(['init', join(root, 'file.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/file\.txt is a file, not a folder/);
  });

  it('an output folder that cannot be written: the letter is a [letter] problem and the rest of the build goes on', () => {
    const config = `${BASE_CONFIG}documents:\n  - {type: letter, name: lb, incidents: [2007-06-04-lb], formats: [html, md]}\n`;
    const root = tempKb({
      'postmortem.config.yaml': config,
      'incidents/2007-06-04-lb.md': `${BASE_INCIDENT}\n## Customer summary\n\nMail was slow for an hour.\n`,
    });
    roots.push(root);
    writeFileSync(join(root, 'out-letters'), 'a file where the folder goes');
    mkdirSync(join(root, 'out'));
    symlinkSync(join(root, 'out-letters', 'x'), join(root, 'out', 'letters')); // out/letters/… is under a file: ENOTDIR
    const r = run(['build', '--root', root, '--now', '2007-07-01']);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /postmortem\.config\.yaml:\d+:\d+: error letter "lb": cannot write .*out\/letters\/lb\.(html|md): .* \[letter\]/,
    );
    expect(existsSync(join(root, 'out/site/index.html'))).toBe(true);
  });
});

describe('the incident scan says what it does not take (item 10)', () => {
  it('a symbolic link to an incident file is a warning naming it', () => {
    const root = base({ 'elsewhere/other.md': BASE_INCIDENT.replace('2007-06-04-lb', 'other') });
    symlinkSync(join(root, 'elsewhere/other.md'), join(root, 'incidents/other.md'));
    const r = run(['check', '--root', root, '--now', '2007-07-01']);
    expect(r.stdout).toContain('incidents/other.md:1:1: warning symbolic link not followed');
  });
});

describe('messages say what is wrong (item 15)', () => {
  it('!!binary is named as a tag', () => {
    const root = base();
    writeFileSync(join(root, 'incidents/2007-06-04-lb.md'), BASE_INCIDENT.replace('title: Load balancer overload', 'title: !!binary aGk='));
    const r = run(['check', '--root', root]);
    expect(r.stdout).toMatch(/incidents\/2007-06-04-lb\.md:3:\d+: error YAML tag !!binary is not allowed/);
    expect(r.stdout).not.toContain('not a mapping');
  });

  it('incidents as a regular file, and no incidents/ at all', () => {
    const file = tempKb({ 'postmortem.config.yaml': BASE_CONFIG, incidents: 'oops' });
    const none = tempKb({ 'postmortem.config.yaml': BASE_CONFIG });
    roots.push(file, none);
    const a = run(['check', '--root', file]);
    expect(a.stdout).toContain('incidents:1:1: error incidents is a file, not a folder');
    expect(a.stdout).not.toContain('does not match the file name');
    const b = run(['check', '--root', none]);
    expect(b.stdout).toContain('incidents:1:1: error no incidents/ folder here (it does not exist)');
  });

  it('a file name with a newline stays on one line', () => {
    const root = base({ 'incidents/bad\nname.md': '---\nid: [\n---\n' });
    const r = run(['check', '--root', root]);
    expect(r.stdout).toMatch(/^"incidents\/bad\\nname\.md":\d+:\d+: error /m);
  });
});

describe('check of the config (item 16)', () => {
  const check = (config: string, incident = BASE_INCIDENT) => {
    const root = tempKb({ 'postmortem.config.yaml': config, 'incidents/2007-06-04-lb.md': incident });
    roots.push(root);
    return run(['check', '--root', root, '--now', '2007-07-01']);
  };

  it('reports impossible dates, duplicates, a non-public signer and unknown incidents where they are', () => {
    const config = `as_of: 2007-02-30\n${BASE_CONFIG.replace('services:', 'severities: [SEV1, SEV2, SEV1]\nservices:')}letter:\n  signer: dana\ndocuments:\n  - {type: letter, name: a, incidents: [2007-06-04-lb, nope], date: 2007-13-01}\n  - {type: packet, name: p, notes: ../outside.md}\n`;
    const r = check(config);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('postmortem.config.yaml'));
    expect(lines).toEqual([
      'postmortem.config.yaml:1:8: error `as_of` 2007-02-30 is not a date of the calendar [field-value]',
      'postmortem.config.yaml:3:26: error "SEV1" is listed twice in `severities` [duplicate-id]',
      'postmortem.config.yaml:14:11: error letter signer "dana" is not public (public: true in the owners directory), so no letter could be signed by them [owner-known]',
      'postmortem.config.yaml:16:56: error letter "a" names incident "nope", which is not in incidents/ [related-exists]',
      'postmortem.config.yaml:16:69: error `date` 2007-13-01 is not a date of the calendar [field-value]',
      'postmortem.config.yaml:17:36: error packet "p": notes file ../outside.md is outside the knowledge base; name a file inside it, relative to the root [field-value]',
    ]);
  });

  it('a title with a newline', () => {
    const r = check(BASE_CONFIG, BASE_INCIDENT.replace('title: Load balancer overload', 'title: "Load balancer\\noverload"'));
    expect(r.stdout).toContain('incidents/2007-06-04-lb.md:3:8: error `title` must be one line (no line breaks) [field-value]');
  });

  it('packet notes outside the root are never read', () => {
    const root = base();
    const outside = join(root, '..', `outside-${root.split('/').pop()}.md`);
    writeFileSync(outside, '## Secret\n\nnot for this packet\n');
    onTestFinished(() => rmSync(outside, { force: true }));
    const r = run([
      'packet',
      '--root',
      root,
      '--now',
      '2007-07-01',
      '--format',
      'html',
      '--notes',
      `../outside-${root.split('/').pop()}.md`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is outside the knowledge base');
    expect(existsSync(join(root, 'out/packets'))).toBe(false);
  });
});

describe('words after -- are positional arguments (item 17)', () => {
  it('search -- slow and new -- "-5xx errors"', () => {
    const root = base();
    const s = run(['search', '--root', root, '--', 'slow']);
    expect(s.stderr).not.toContain('Not enough non-option arguments');
    expect(s.code).toBe(0);
    const n = run(['new', '--root', root, '--now', '2007-07-01', '--', '-5xx errors']);
    expect(n.code).toBe(0);
    expect(n.stdout).toContain('Created incidents/2007/2007-07-01-5xx-errors.md');
    expect(readFileSync(join(root, 'incidents/2007/2007-07-01-5xx-errors.md'), 'utf8')).toContain('title: "-5xx errors"');
  });
});

describe('--root and --out (item 18)', () => {
  it('a mistyped --root is an error and is never created', () => {
    const root = base();
    const r = run(['stats', '--root', join(root, 'typo')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the knowledge-base root .*typo does not exist/);
    expect(existsSync(join(root, 'typo'))).toBe(false);
  });

  it('--out inside incidents/ is refused', () => {
    const root = base();
    const r = run(['build', '--root', root, '--out', join(root, 'incidents')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--out .*incidents is inside incidents\//);
    expect(tree(join(root, 'incidents'))).toEqual(['2007-06-04-lb.md']);
    expect(run(['check', '--root', root, '--now', '2007-07-01']).code).toBe(0);
  });
});
