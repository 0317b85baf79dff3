import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/paths.js';
import { runCli } from './helpers/cli.js';
import { removeKb, tempKb } from './helpers/kb.js';
import { CONFIG, DST, incidentText, pathOf } from './fixtures/db-kb.js';

// The built binary: `postmortem export` over the example knowledge base and a leaky one (the
// formats themselves are tested in process in export.test.ts).
describe('export formats (binary)', () => {
  it('the example knowledge base exports deterministically, and the tripwire names a leak on stderr with nothing on stdout', () => {
    const runs = ['json', 'atom', 'statuspage', 'json'].map((kind) => runCli(['--root', PACKAGE_ROOT, 'export', kind]));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(runs[3]!.stdout).toBe(runs[0]!.stdout);
    expect(XMLValidator.validate(runs[1]!.stdout)).toBe(true);
    const json = JSON.parse(runs[0]!.stdout);
    expect(json.incidents.length).toBeGreaterThan(10);
    expect(json.incidents.every((i: { id: string }) => typeof i.id === 'string')).toBe(true);

    const leaky = incidentText({ ...DST, related: [] }).replace(
      'We are sorry.',
      'We are sorry. The daylight saving change confused the session cleaner.',
    );
    const root = tempKb({ 'postmortem.config.yaml': CONFIG, [pathOf(DST)]: leaky });
    try {
      const run = runCli(['--root', root, 'export', 'atom']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'postmortem: incident 2007-03-11-dst: internal text from section "Summary" appears in the Atom export ("The daylight saving change confused the session cleaner."); nothing was written\n' +
          'Remove it from the customer text (the Customer summary, a public timeline entry or window), or mark the source text public if it is meant for customers.\n',
      );
    } finally {
      removeKb(root);
    }
  }, 120_000);
});
