import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runLetter } from '../src/commands/letter.js';
import { runCheck } from '../src/commands/check.js';
import { updateKnowledgeBase } from '../src/db/knowledge-base.js';
import { letterBuildStep } from '../src/letter/build-step.js';
import { noteSections } from '../src/letter/notes.js';
import { covers, missingGlyphs, parseCharsets } from '../src/letter/glyphs.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/**
 * The letter's own voice (notes file, contact line), e-mail-ready Markdown, the characters a
 * PDF cannot print, and follow-up letters from the promises every letter records.
 */
vi.setConfig({ testTimeout: 120_000 });
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));
const EXAMPLE_ROOT = process.cwd();
const JUNE = ['2007-06-04-dulles-load-balancer-overload', '2007-06-13-mail-routing-database'];
const JUNE_NOTES = 'letters/2007-06-email-interruptions.md';

async function letter(root: string, options: Parameters<typeof runLetter>[1], out?: string) {
  const dir = out ?? tempKb({});
  if (!out) roots.push(dir);
  const ctx = captureContext(root, { out: dir, now: '2008-01-15' });
  const result = await runLetter(ctx, options);
  const read = (ext: string) => readFileSync(join(dir, 'letters', `${result.outcome.name}.${ext}`), 'utf8');
  return { ctx, out: dir, result, read };
}

const CONFIG = `organization: Example Mail, Inc.
timezone: America/New_York
services: [webmail]
locations:
  dulles-va: Dulles, VA
owners:
  - {id: pat, name: Pat Signer, title: our chief executive officer, public: true}
  - {id: bill, name: Bill Lead, title: our chief technology officer, public: true}
  - {id: dana, name: Dana Hidden, title: operations manager, email: dana.hidden@corp.example}
contact:
  email: help@example-mail.example
  status_page: https://status.example-mail.example/now
letter:
  signer: pat
`;

const REMEDIATIONS = `  - {id: R0, action: Added a spare session store., type: prevent, owner: bill, status: done, completed: 2007-03-11, public: true}
  - {id: R1, action: Move sessions to a replicated store., type: prevent, owner: bill, due: 2007-04-01, status: open, public: true}
  - {id: R2, action: Rebuild the login service on new hardware., type: prevent, owner: bill, due: 2007-05-01, status: in-progress, public: true}
  - {id: R3, action: Add a second data center for webmail., type: prevent, owner: dana, due: 2007-04-15, status: open, public: true}
  - {id: R4, action: Review every session limit., type: process, owner: bill, status: open, public: true}
  - {id: R5, action: Offer a status text message service., type: process, owner: bill, due: 2007-06-01, status: open, public: true}
  - {id: R6, action: Raise the pool limit on websess3., type: prevent, owner: dana, due: 2007-03-20, status: open, ticket: OPS-7001}`;

function incident(fields: { remediations?: string; summary?: string; body?: string } = {}): string {
  return `---
id: 2007-03-11-webmail
title: Webmail unavailable
status: final
severity: SEV2
services: [webmail]
locations: [dulles-va]
started: 2007-03-11T09:00:00-04:00
resolved: 2007-03-11T10:00:00-04:00
impact:
  summary: ${fields.summary ?? 'Customers could not open webmail.'}
  symptoms: [cannot access email]
root_cause:
  category: capacity
  summary: The session store on websess3 ran out of connections after a pool resize.
timeline:
  - {at: 2007-03-11T09:00:00-04:00, event: Pager went off for websess3 pool exhaustion., kind: detection}
remediations:
${fields.remediations ?? REMEDIATIONS}
owners:
  authors: [dana]
---

${fields.body ?? ''}
`;
}

function kbWith(files: Record<string, string>, config = CONFIG): string {
  const root = tempKb({ 'postmortem.config.yaml': config, ...files });
  roots.push(root);
  return root;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('letter notes', () => {
  it("become the example June letter's own paragraphs, in source order, after the changes and before the closing", async () => {
    const { read } = await letter(EXAMPLE_ROOT, { ids: JUNE, formats: ['html', 'md'], notes: JUNE_NOTES, name: 'june' });
    const md = read('md');
    const sections = noteSections(readFileSync(JUNE_NOTES, 'utf8'));
    expect(sections.map((s) => s.title)).toEqual([
      'What comes next',
      'Where we let you down in talking to you',
      'Where we stand',
      'Credits and questions',
    ]);
    // The example's notes carry the 2007 letter's letter-level points, in at most 250 words.
    expect(words(sections.map((s) => s.markdown).join(' '))).toBeLessThanOrEqual(250);
    const positions = [
      md.indexOf('## What we are changing'),
      md.indexOf('Bill and I are on our way to San Antonio to meet Rackspace'),
      md.indexOf('more of you contacted us than our support tools could handle'),
      md.indexOf('These were isolated events'),
      md.indexOf('we will work out a fair credit on your account'),
      md.indexOf('If you have questions about this letter or about how you were affected, write to our support team at'),
      md.indexOf('Thank you for your patience'),
    ];
    expect(
      positions.every((p) => p > -1),
      JSON.stringify(positions),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // The authors' headings are not shown, nor the file's title.
    for (const heading of ['What comes next', 'Credits and questions', 'Notes for the June 2007 letter']) {
      expect(md).not.toContain(heading);
      expect(read('html')).not.toContain(heading);
    }
    expect(read('html')).toContain('<div class="prose note">');
  });

  it('are sanitised like any customer text, and refused when they repeat internal text', async () => {
    const notes =
      '## Next\n\nWe will call you.<script>alert(1)</script> ![x](https://evil.example/x.png) [Details](javascript:alert(1))\n\n## Contact\n\n<img src=x onerror=alert(2)>Write to us.\n';
    const root = kbWith({ 'incidents/2007-03-11-webmail.md': incident(), 'letters/notes.md': notes });
    const { read } = await letter(root, { ids: ['2007-03-11-webmail'], formats: ['html', 'md'], notes: 'letters/notes.md' });
    for (const text of [read('html'), read('md')]) {
      expect(text).toContain('We will call you.');
      expect(text).toContain('Write to us.');
      for (const bad of ['<script', 'onerror', 'evil.example', 'javascript:']) expect(text).not.toContain(bad);
    }
    const leaky = kbWith({ 'incidents/2007-03-11-webmail.md': incident(), 'letters/notes.md': '## Next\n\nDana Hidden will call you.\n' });
    await expect(letter(leaky, { ids: ['2007-03-11-webmail'], formats: ['md'], notes: 'letters/notes.md' })).rejects.toThrow(
      'internal text from owner "dana" (name, not public) appears in the HTML letter ("Dana Hidden")',
    );
  });

  it('name a missing file or a path outside the knowledge base, in the command, in check and at the build entry', async () => {
    const root = kbWith(
      { 'incidents/2007-03-11-webmail.md': incident() },
      `${CONFIG}documents:
  - type: letter
    name: march
    incidents: [2007-03-11-webmail]
    notes: letters/missing.md
  - type: letter
    name: outside
    incidents: [2007-03-11-webmail]
    notes: ../secrets.md
`,
    );
    await expect(letter(root, { ids: ['2007-03-11-webmail'], formats: ['md'], notes: 'letters/missing.md' })).rejects.toThrow(
      'notes file letters/missing.md does not exist',
    );
    await expect(letter(root, { ids: ['2007-03-11-webmail'], formats: ['md'], notes: '../secrets.md' })).rejects.toThrow(
      'notes file ../secrets.md is outside the knowledge base',
    );
    const ctx = captureContext(root, { now: '2008-01-15' });
    await runCheck(ctx, {});
    expect(ctx.out_()).toContain(
      'postmortem.config.yaml:19:12: error letter "march": notes file letters/missing.md does not exist [field-value]',
    );
    expect(ctx.out_()).toContain(
      'postmortem.config.yaml:23:12: error letter "outside": notes file ../secrets.md is outside the knowledge base; name a file inside it, relative to the root [field-value]',
    );
    const built = await updateKnowledgeBase(ctx);
    const result = await letterBuildStep.run(ctx, built);
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.message.split(' (')[0]}`)).toEqual([
      '19:12 letter "march": notes file letters/missing.md does not exist',
      '23:12 letter "outside": notes file ../secrets.md is outside the knowledge base; name a file inside it, relative to the root',
    ]);
  });
});

describe('contact', () => {
  it('is validated where it is written in the config', async () => {
    const root = kbWith(
      { 'incidents/2007-03-11-webmail.md': incident() },
      CONFIG.replace(
        'contact:\n  email: help@example-mail.example\n  status_page: https://status.example-mail.example/now',
        'contact:\n  email: not an address\n  phone: call us\n  status_page: http://status.example-mail.example/',
      ),
    );
    const ctx = captureContext(root, { now: '2008-01-15' });
    await runCheck(ctx, {});
    const out = ctx.out_();
    expect(out).toMatch(/postmortem\.config\.yaml:11:10: error .*expected an e-mail address such as support@example\.com/);
    expect(out).toMatch(/postmortem\.config\.yaml:12:10: error .*expected a phone number/);
    expect(out).toMatch(/postmortem\.config\.yaml:13:16: error .*expected an https:\/\/ address/);
  });

  it('gives the closing a contact line, with its links in reference style in the Markdown letter', async () => {
    const root = kbWith({ 'incidents/2007-03-11-webmail.md': incident() });
    const { read } = await letter(root, { ids: ['2007-03-11-webmail'], formats: ['html', 'md'] });
    const md = read('md');
    expect(md).toContain(
      'If you have questions about this letter or about how you were affected, write to our support team at [help@example-mail.example][1]. Notices about our service are posted at [https://status.example-mail.example/now][2].',
    );
    expect(md).toMatch(/\n\[1\]: mailto:help@example-mail\.example\n\[2\]: https:\/\/status\.example-mail\.example\/now\n$/);
    expect(read('html')).toContain('<a href="mailto:help@example-mail.example">help@example-mail.example</a>');
    const none = kbWith({ 'incidents/2007-03-11-webmail.md': incident() }, CONFIG.replace(/contact:\n( {2}.*\n)+/, ''));
    const plain = await letter(none, { ids: ['2007-03-11-webmail'], formats: ['md'] });
    expect(plain.read('md')).not.toContain('support team at');
  });
});

describe('the Markdown letter is ready to paste into an e-mail', () => {
  const body = `## Customer summary

Webmail was slow for an hour
because a session store was full.\\
We fixed it, see [our notice](https://status.example-mail.example/notice) and
[our notice again](https://status.example-mail.example/notice).

- one item that is
  wrapped over two lines
`;

  it('has every paragraph on one line, no trailing backslash, and reference-style links', async () => {
    const root = kbWith({ 'incidents/2007-03-11-webmail.md': incident({ body }) });
    const { read } = await letter(root, { ids: ['2007-03-11-webmail'], formats: ['md'] });
    const md = read('md');
    expect(md).toContain(
      'Webmail was slow for an hour because a session store was full. We fixed it, see [our notice][1] and [our notice again][1].',
    );
    expect(md).toContain('- one item that is wrapped over two lines');
    expect(md).not.toMatch(/\\$/m);
    expect(md).not.toMatch(/\]\(/);
    expect(md).toContain('\n[1]: https://status.example-mail.example/notice\n');
    // The signature: one line each, as blocks, not hard breaks.
    expect(md).toMatch(/\*\*Pat Signer\*\*\n\nChief Executive Officer\n\nExample Mail, Inc\.\n/);
  });

  it('is the same for the example June letter', async () => {
    const { read } = await letter(EXAMPLE_ROOT, { ids: JUNE, formats: ['md'], notes: JUNE_NOTES });
    const md = read('md');
    expect(md).not.toMatch(/\\$/m);
    expect(md).not.toMatch(/\]\(/);
    // Paragraphs: every line of prose is a whole paragraph (the next line is blank, a list item or the end).
    const lines = md.split('\n');
    lines.forEach((line, n) => {
      if (!line || /^(#|- |\[\d+\]: )/.test(line)) return;
      expect(lines[n + 1] ?? '', `line ${n + 1}: ${line}`).toBe('');
    });
  });
});

describe('characters the PDF cannot print', () => {
  it('are found from fontconfig charsets', () => {
    const coverage = parseCharsets('20-7e a0-ff\n4e00-9fff 3040-309f\n1f300-1f5ff\n');
    expect(covers(coverage, 'A'.codePointAt(0)!)).toBe(true);
    expect(covers(coverage, 0x1f4e7)).toBe(true);
    expect(covers(coverage, 0x1d11e)).toBe(false);
    expect(
      missingGlyphs(
        [
          { where: 'incident x: title', text: 'Mail 東京 📧' },
          { where: 'incident x: impact.summary', text: 'G clef 𝄞, again 𝄞, a joiner \u200d and a selector \ufe0f' },
        ],
        coverage,
      ),
    ).toEqual([{ char: '𝄞', code: 'U+1D11E', where: 'incident x: impact.summary' }]);
  });

  const previous = process.env.CHROMIUM_PATH;
  afterEach(() => {
    if (previous === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = previous;
  });

  it('are warned about at their field when a letter prints a PDF, and at the document entry in the build', async () => {
    process.env.CHROMIUM_PATH = '/nonexistent/chromium'; // the check runs before printing
    const root = kbWith(
      { 'incidents/2007-03-11-webmail.md': incident({ summary: 'Customers in 東京 could not open webmail 📧 (𝄞).' }) },
      `${CONFIG}documents:
  - {type: letter, name: march, incidents: [2007-03-11-webmail], formats: [md, pdf]}
`,
    );
    const { ctx } = await letter(root, { ids: ['2007-03-11-webmail'], formats: ['md', 'pdf'] });
    expect(ctx.err_()).toContain(
      'warning: letter 2007-03-11-webmail: incident 2007-03-11-webmail: impact.summary: "𝄞" (U+1D11E) has no glyph in the installed fonts',
    );
    expect(ctx.err_()).not.toContain('U+6771'); // 東: Noto CJK
    expect(ctx.err_()).not.toContain('U+1F4E7'); // 📧: Noto Color Emoji
    const build = captureContext(root, { now: '2008-01-15' });
    const built = await updateKnowledgeBase(build);
    for (let run = 0; run < 2; run++) {
      // the second time from the finished letter, without rendering
      const result = await letterBuildStep.run(build, built);
      expect(
        result.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.severity} ${p.message.slice(0, 80)}`),
        `run ${run}`,
      ).toEqual(['postmortem.config.yaml:16:5 warning letter "march": incident 2007-03-11-webmail: impact.summary: "𝄞" (U+1D11E) has ']);
    }
  });
});

describe('promises and follow-up letters', () => {
  const followUpMd = async (root: string, out: string, date: string) =>
    (await letter(root, { ids: [], formats: ['md'], followUp: 'march', date, name: 'march-follow-up' }, out)).read('md');

  it('records what a letter promised, as of its date, beside it', async () => {
    const root = kbWith({ 'incidents/2007-03-11-webmail.md': incident() });
    const { read } = await letter(root, { ids: ['2007-03-11-webmail'], formats: ['md'], name: 'march', date: '2007-03-12' });
    expect(JSON.parse(read('promises.json'))).toEqual({
      version: 1,
      letter: 'march',
      date: '2007-03-12',
      incidents: ['2007-03-11-webmail'],
      promises: [
        {
          incident: '2007-03-11-webmail',
          remediation: 'R1',
          wording: 'Move sessions to a replicated store.',
          leader: 'Bill Lead, our chief technology officer',
          due: '2007-04-01',
        },
        {
          incident: '2007-03-11-webmail',
          remediation: 'R2',
          wording: 'Rebuild the login service on new hardware.',
          leader: 'Bill Lead, our chief technology officer',
          due: '2007-05-01',
        },
        {
          incident: '2007-03-11-webmail',
          remediation: 'R3',
          wording: 'Add a second data center for webmail.',
          leader: null,
          due: '2007-04-15',
        },
        {
          incident: '2007-03-11-webmail',
          remediation: 'R4',
          wording: 'Review every session limit.',
          leader: 'Bill Lead, our chief technology officer',
          due: null,
        },
        {
          incident: '2007-03-11-webmail',
          remediation: 'R5',
          wording: 'Offer a status text message service.',
          leader: 'Bill Lead, our chief technology officer',
          due: '2007-06-01',
        },
      ],
    });
  });

  it('says what is done and when, what slipped and the new date, what is late, under way and dropped', async () => {
    const root = kbWith({ 'incidents/2007-03-11-webmail.md': incident() });
    const { out } = await letter(root, { ids: ['2007-03-11-webmail'], formats: ['md'], name: 'march', date: '2007-03-12' });
    // Two months on, the record has moved.
    writeFileSync(
      join(root, 'incidents/2007-03-11-webmail.md'),
      incident({
        remediations: REMEDIATIONS.replace('due: 2007-04-01, status: open', 'due: 2007-04-01, completed: 2007-03-30, status: done')
          .replace('due: 2007-05-01, status: in-progress', 'due: 2007-07-01, status: in-progress')
          .replace('owner: bill, status: open, public: true}', 'owner: bill, status: in-progress, public: true}')
          .replace('due: 2007-06-01, status: open', 'due: 2007-06-01, completed: 2007-04-20, status: wont-do'),
      }),
    );
    const md = await followUpMd(root, out, '2007-05-10');
    expect(md).toContain('**An update on the changes we promised on March 12, 2007**');
    expect(md).toContain(
      'On March 12, 2007, I wrote to you about the interruption of our service on Sunday, March 11, 2007, and about the changes we were making because of it.',
    );
    const sections = md.slice(md.indexOf('## '), md.indexOf('If you have questions about this letter')).trim();
    expect(sections).toBe(`## What we have finished

- Move sessions to a replicated store. Finished on March 30, 2007. Led by Bill Lead, our chief technology officer.

## What is taking longer than we said

- Rebuild the login service on new hardware. We planned to finish this by May 1, 2007; we now plan to finish it by July 1, 2007. Led by Bill Lead, our chief technology officer.
- Add a second data center for webmail. We planned to finish this by April 15, 2007, and it is not finished yet. Led by our team.

## What is still under way

- Review every session limit. Under way. Led by Bill Lead, our chief technology officer.

## What we decided not to do

- Offer a status text message service. We decided not to go ahead with this. Led by Bill Lead, our chief technology officer.`);
    // The follow-up records its own promises: what is still ahead.
    const own = JSON.parse(readFileSync(join(out, 'letters', 'march-follow-up.promises.json'), 'utf8')) as {
      promises: { remediation: string }[];
    };
    expect(own.promises.map((p) => p.remediation)).toEqual(['R2', 'R3', 'R4']);
    // As of an earlier day, what was done later is still under way.
    const early = await followUpMd(root, out, '2007-03-20');
    expect(early).not.toContain('## What we have finished');
    expect(early).toContain('- Move sessions to a replicated store. Planned to be finished by April 1, 2007.');
  });

  it('refuses a follow-up without a date, before its letter, of an unknown letter, or of a promise the record lost', async () => {
    const root = kbWith({ 'incidents/2007-03-11-webmail.md': incident() });
    const { out } = await letter(root, { ids: ['2007-03-11-webmail'], formats: ['md'], name: 'march', date: '2007-03-12' });
    const run = (options: Partial<Parameters<typeof runLetter>[1]>) =>
      letter(root, { ids: [], formats: ['md'], followUp: 'march', ...options }, out);
    await expect(run({})).rejects.toThrow('a follow-up letter needs its own date');
    await expect(run({ date: '2007-03-01' })).rejects.toThrow(
      'a follow-up dated 2007-03-01 cannot come before the letter it follows ("march", 2007-03-12)',
    );
    await expect(run({ followUp: 'april', date: '2007-05-01' })).rejects.toThrow(
      'letter "april" has no promises file (letters/april.promises.json in the output folder)',
    );
    writeFileSync(join(out, 'letters', 'broken.promises.json'), '{"version": 1}');
    await expect(run({ followUp: 'broken', date: '2007-05-01' })).rejects.toThrow('letters/broken.promises.json: letter:');
    writeFileSync(
      join(root, 'incidents/2007-03-11-webmail.md'),
      incident({
        remediations: REMEDIATIONS.split('\n')
          .filter((l) => !l.includes('id: R3'))
          .join('\n'),
      }),
    );
    await expect(run({ date: '2007-05-01' })).rejects.toThrow(
      'letter "march" promised remediation R3 of incident 2007-03-11-webmail, which the record no longer has',
    );
  });

  it("golden: the example's November 2007 follow-up to the June letter", async () => {
    const june = await letter(EXAMPLE_ROOT, { ids: JUNE, formats: ['md'], notes: JUNE_NOTES, name: '2007-06-email-interruptions' });
    const { read } = await letter(
      EXAMPLE_ROOT,
      { ids: [], formats: ['md'], followUp: '2007-06-email-interruptions', date: '2007-11-15', name: '2007-11-email-follow-up' },
      june.out,
    );
    const golden = join('test', 'golden', '2007-11-email-follow-up.md');
    // After a deliberate wording change: UPDATE_GOLDEN=1, then read the diff.
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, read('md'));
    expect(read('md')).toBe(readFileSync(golden, 'utf8'));
  });
});
