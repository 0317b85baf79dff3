import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBuild } from '../src/commands/build.js';
import { DEFAULT_TEMPLATES } from '../src/paths.js';
import { commitHistory, commitStep, git } from './helpers/git-history.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { packetFixture, PACKET_CONFIG } from './packet-fixtures.js';

/**
 * Never redo finished work: a build after one input changed renders again exactly the letters
 * and packets that read that input (`src/build/document-key.ts`), and their files are then the
 * same bytes as a build of the changed knowledge base into an empty folder.
 */
const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

const CONFIG = `${PACKET_CONFIG}    formats: [html]
  - type: letter
    name: b-letter
    incidents: [b-in-period]
    formats: [html, md]
`;

function kbRoot(): string {
  const root = tempKb(packetFixture({ 'postmortem.config.yaml': CONFIG }));
  roots.push(root);
  return root;
}

/** Builds, and says how many letters and packets were rendered again. */
async function build(root: string, out = join(root, 'out'), now?: string) {
  const ctx = captureContext(root, { out, ...(now ? { now } : {}) });
  const result = await runBuild(ctx);
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const count = (step: string) => Number(new RegExp(`^${step}: (\\d+) of \\d+ rendered again$`, 'm').exec(ctx.out_())?.[1]);
  return { letters: count('letters'), packets: count('packets') };
}

/** Every file of the letters and packets folders and its bytes (the kept state aside). */
function documents(out: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of ['letters', 'packets']) {
    const dir = join(out, folder);
    for (const name of readdirSync(dir).sort()) {
      if (!name.startsWith('.') && statSync(join(dir, name)).isFile())
        files.set(relative(out, join(dir, name)), readFileSync(join(dir, name), 'latin1'));
    }
  }
  return files;
}

async function expectSameAsFresh(root: string, now?: string) {
  const fresh = join(root, 'fresh');
  await build(root, fresh, now);
  expect(documents(join(root, 'out'))).toEqual(documents(fresh));
  removeKb(fresh);
}

const edit = (root: string, path: string, change: (text: string) => string) =>
  writeFileSync(join(root, path), change(readFileSync(join(root, path), 'utf8')));
const override = (root: string, template: string, extra: string) => {
  writeFileSync(join(root, 'templates', template), readFileSync(join(DEFAULT_TEMPLATES, template), 'utf8') + extra);
};

describe('document keys', () => {
  it('a build with nothing changed renders nothing again', async () => {
    const root = kbRoot();
    expect(await build(root)).toEqual({ letters: 1, packets: 1 });
    expect(await build(root)).toEqual({ letters: 0, packets: 0 });
    await expectSameAsFresh(root);
  });

  const cases: { input: string; change: (root: string) => void; letters: number; packets: number }[] = [
    {
      input: "the letter's incident (the packet's too)",
      change: (r) => edit(r, 'incidents/b-in-period.md', (t) => t.replace('Webmail was slow.', 'Webmail was very slow.')),
      letters: 1,
      packets: 1,
    },
    {
      input: 'an incident only the packet reads',
      change: (r) => edit(r, 'incidents/d-other-provider.md', (t) => t.replace('A disk failed.', 'Two disks failed.')),
      letters: 0,
      packets: 1,
    },
    { input: 'a letter template', change: (r) => override(r, 'letter/letter.md.hbs', '\nP.S. Thank you.\n'), letters: 1, packets: 0 },
    { input: 'a packet template', change: (r) => override(r, 'packet/styles.css', '\nh1 { color: navy; }\n'), letters: 0, packets: 1 },
    {
      input: "the packet's notes file",
      change: (r) => appendFileSync(join(r, 'reviews', 'q2.md'), '\n## More\n\nOne more point.\n'),
      letters: 0,
      packets: 1,
    },
    {
      input: 'the config',
      change: (r) => edit(r, 'postmortem.config.yaml', (t) => t.replace('Example Mail & Co.', 'Example Mail Ltd.')),
      letters: 1,
      packets: 1,
    },
    {
      input: 'a letter file changed by hand',
      change: (r) => appendFileSync(join(r, 'out', 'letters', 'b-letter.md'), 'scribble'),
      letters: 1,
      packets: 0,
    },
  ];
  for (const c of cases) {
    it(`renders again what reads ${c.input}, and only that`, async () => {
      const root = kbRoot();
      for (const dir of ['letter', 'packet']) mkdirSync(join(root, 'templates', dir), { recursive: true });
      await build(root);
      c.change(root);
      expect(await build(root)).toEqual({ letters: c.letters, packets: c.packets });
      expect(await build(root)).toEqual({ letters: 0, packets: 0 });
      await expectSameAsFresh(root);
    });
  }

  it("trusts a finished file's size and time, and hashes it when either changed", async () => {
    const root = kbRoot();
    await build(root);
    const out = join(root, 'out');
    const outputs = ['letters', 'packets'].flatMap((d) =>
      readdirSync(join(out, d))
        .filter((f) => !f.startsWith('.'))
        .map((f) => join(out, d, f)),
    );
    const past = new Date('2020-01-01T00:00:00Z');
    for (const f of outputs) utimesSync(f, past, past);
    expect(await build(root)).toEqual({ letters: 0, packets: 0 }); // hashed: the same bytes, kept with their time
    const kept = JSON.parse(readFileSync(join(out, 'letters', '.finished.json'), 'utf8')) as {
      documents: Record<string, { files: unknown[][] }>;
    };
    expect(Object.values(kept.documents).flatMap((d) => d.files.map((f) => f[3]))).toContain(past.getTime());
    expect(await build(root)).toEqual({ letters: 0, packets: 0 });
    // the same size, another time: hashed, and found changed
    const letter = join(out, 'letters', 'b-letter.md');
    writeFileSync(
      letter,
      readFileSync(letter, 'utf8').replace(/[a-z]/, (c) => (c === 'a' ? 'b' : 'a')),
    );
    utimesSync(letter, past, new Date('2021-01-01T00:00:00Z'));
    expect(await build(root)).toEqual({ letters: 1, packets: 0 });
    expect(await build(root)).toEqual({ letters: 0, packets: 0 });
    await expectSameAsFresh(root);
  });

  it("renders the packets again after a commit (their build stamp is HEAD's), and not the letters", async () => {
    const root = kbRoot();
    commitHistory(root, [{ date: '2007-07-01T10:00:00Z' }]);
    expect(await build(root)).toEqual({ letters: 1, packets: 1 });
    expect(await build(root)).toEqual({ letters: 0, packets: 0 });
    commitStep(root, { date: '2007-07-02T10:00:00Z', files: { 'README.md': 'The review notes.\n' } });
    expect(await build(root)).toEqual({ letters: 0, packets: 1 });
    expect(readFileSync(join(root, 'out', 'packets', 'q2-review.html'), 'utf8')).toContain(
      `commit ${git(root, ['log', '-1', '--format=%h']).trim()} of 2007-07-02`,
    );
    expect(await build(root)).toEqual({ letters: 0, packets: 0 });
  });

  it('renders everything again at another evaluation date', async () => {
    const root = kbRoot();
    await build(root, undefined, '2007-07-01');
    expect(await build(root, undefined, '2007-07-01')).toEqual({ letters: 0, packets: 0 });
    expect(await build(root, undefined, '2007-08-01')).toEqual({ letters: 1, packets: 1 });
    await expectSameAsFresh(root, '2007-08-01');
  });
});
