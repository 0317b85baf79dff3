import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPacket } from '../src/commands/packet.js';
import { loadConfig } from '../src/kb/config.js';
import { captureContext } from './helpers/kb.js';

/** The June 2007 version for Rackspace as printed: its marking on every page, its contents, and none of our names. */
const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAME = '2007-06-provider-review-for-rackspace';

function pdftotext(file: string, page?: number): string {
  const args = ['-layout', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'];
  return execFileSync('pdftotext', args, { encoding: 'utf8' });
}

describe('the provider version as PDF (example knowledge base, real Chromium)', () => {
  let out: string;
  let pdfFile: string;
  let pages: number;
  let written: string[];

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'pmkb-provider-pdf-'));
    ({
      packet: { written },
    } = await runPacket(captureContext(EXAMPLE, { out }), { name: NAME }));
    pdfFile = join(out, 'packets', `${NAME}.pdf`);
    pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' }))![1]);
  }, 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes both files, every page after the cover headed, "Prepared for Rackspace" and numbered, never marked internal', () => {
    expect(written).toEqual([`packets/${NAME}.html`, `packets/${NAME}.pdf`]);
    for (let page = 2; page <= pages; page++) {
      const text = pdftotext(pdfFile, page);
      expect(text, `page ${page}`).toContain('Webmail.us, Inc. · Incident review with Rackspace');
      expect(text.match(/Prepared for Rackspace/g), `page ${page}`).toHaveLength(2);
      expect(text, `page ${page}`).toContain(`Page ${page} of ${pages}`);
      expect(text.toLowerCase(), `page ${page}`).not.toContain('confidential');
    }
  });

  it('prints the cover without running header or footer: "Prepared for Rackspace" once (its marking), no page number', () => {
    const cover = pdftotext(pdfFile, 1);
    expect(cover.match(/Prepared for Rackspace/gi)).toHaveLength(1);
    expect(cover).not.toContain('Webmail.us, Inc. · Incident review');
    expect(cover).not.toMatch(/Page \d+ of/);
    expect(cover).toContain('Incident review with Rackspace');
  });

  it('lists its chapters with their pages, and names none of our people', () => {
    const contents = pdftotext(pdfFile, 2).replace(/\s+/g, ' ');
    expect(contents).toMatch(/1 Summary \d+ 2 Incidents involving Rackspace \d+ 3 Incident reviews \d+ /);
    expect(contents).toMatch(/5 What we need from Rackspace \d+/);
    const text = pdftotext(pdfFile).toLowerCase();
    for (const owner of loadConfig(EXAMPLE).config.owners) {
      expect(text, owner.name).not.toContain(owner.name.toLowerCase());
      expect(text, owner.email).not.toContain(owner.email!.toLowerCase());
    }
    expect(execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' })).toMatch(
      /Subject:\s+Prepared for Rackspace\. Period January 1, 2007 – June 14, 2007\./,
    );
  });
});
