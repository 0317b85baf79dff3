import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServe, type RunningServe } from '../src/commands/serve.js';
import { DEFAULT_TEMPLATES } from '../src/paths.js';
import { CHROMIUM_FLAGS, chromiumPath } from '../src/render/pdf.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { siteKb } from './site-fixture.js';

/**
 * `postmortem serve` in real headless Chromium: pages reload after a save, a new error shows
 * over the last good page, letter previews follow their incidents. Each step waits (bounded)
 * for what a reader would see; the server runs on 127.0.0.1 with a free port.
 */
const LB_FILE = 'incidents/2007/2007-06-04-lb.md';
const LETTER = `documents:
  - {type: letter, name: lb-letter, incidents: [2007-06-04-lb], signer: bill, formats: [html, md, pdf]}
`;
const WAIT = { timeout: 60_000, interval: 200 };

let root = '';
let serve: RunningServe;
let browser: Browser;
let lb = '';

const edit = (change: (text: string) => string) => writeFileSync(join(root, LB_FILE), change(readFileSync(join(root, LB_FILE), 'utf8')));

/** A page that records console errors (CSP violations among them), page errors and any request elsewhere than the server. */
async function openPage(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(serve.url)) return route.continue();
    errors.push(`remote request: ${url}`);
    return route.abort();
  });
  await page.goto(new URL(path, serve.url).href);
  return { page, errors };
}

const overlay = (page: Page) => page.locator('#postmortem-serve-overlay');

beforeAll(async () => {
  const files = siteKb();
  files['postmortem.config.yaml'] += LETTER;
  root = tempKb(files);
  lb = files[LB_FILE]!;
  serve = await startServe(captureContext(root), { port: 0 });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS, headless: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await serve?.close();
  if (root) removeKb(root);
});

describe('postmortem serve in Chromium', () => {
  it('reloads an open page when its incident is saved', async () => {
    const { page, errors } = await openPage('incidents/2007-06-04-lb.html');
    expect(await page.textContent('h1')).toContain('Webmail');
    edit((text) => text.replace(/^title: .*$/m, 'title: "Load balancers saturated at Dulles"'));
    await expect.poll(() => page.textContent('h1'), WAIT).toContain('Load balancers saturated at Dulles');
    expect(errors).toEqual([]);
  });

  it('shows a new error over the last good page, located and linked, and clears it once fixed', async () => {
    const { page, errors } = await openPage('incidents/2007-06-04-lb.html');
    const before = await page.textContent('h1');
    edit((text) => text.replace(/^severity: .*$/m, 'severity: [SEV1'));
    await expect(overlay(page).waitFor({ state: 'visible', timeout: 60_000 })).resolves.toBeUndefined();
    const text = await overlay(page).textContent();
    expect(text).toMatch(/showing the last good build/);
    expect(text).toMatch(/incidents\/2007\/2007-06-04-lb\.md:\d+:\d+: error malformed YAML: .* \[yaml-syntax\]/);
    const href = await overlay(page).locator('a.location').first().getAttribute('href');
    expect(href).toMatch(/^vscode:\/\/file\/.*\/incidents\/2007\/2007-06-04-lb\.md:\d+:\d+$/);
    expect(await page.textContent('h1')).toBe(before);
    // the page on disk is the last good one: loading it again shows it, with the overlay
    await page.reload();
    expect(await page.textContent('h1')).toBe(before);
    await overlay(page).waitFor({ state: 'visible', timeout: 60_000 });

    edit(() => lb.replace(/^title: .*$/m, 'title: "Fixed and saved again"'));
    await expect.poll(() => page.textContent('h1'), WAIT).toContain('Fixed and saved again');
    await expect.poll(() => overlay(page).count(), WAIT).toBe(0);
    expect(serve.state().held).toBe(false);
    expect(errors).toEqual([]);
  });

  it('updates a letter preview after its incident changes', async () => {
    const { page, errors } = await openPage('letters/lb-letter.html');
    expect(await page.textContent('body')).toContain('Customers could not read mail in webmail.');
    edit((text) => text.replace('Customers could not read mail in webmail.', 'Customers saw webmail time out for two hours.'));
    await expect.poll(() => page.textContent('body'), WAIT).toContain('Customers saw webmail time out for two hours.');
    expect(await page.textContent('body')).not.toContain('Customers could not read mail in webmail.');
    expect(errors).toEqual([]);
  });

  it('reloads pages when the knowledge base gets a template of its own', async () => {
    const { page, errors } = await openPage('index.html');
    const layout = readFileSync(join(DEFAULT_TEMPLATES, 'site/layout.hbs'), 'utf8');
    mkdirSync(join(root, 'templates/site'), { recursive: true });
    writeFileSync(join(root, 'templates/site/layout.hbs'), layout.replace('<p>{{footer}}</p>', '<p id="own-footer">Our own layout</p>'));
    await expect.poll(() => page.locator('#own-footer').count(), WAIT).toBe(1);
    expect(errors).toEqual([]);
  });

  it('prints a letter to PDF when its link is opened', async () => {
    expect(existsSync(join(root, 'out/letters/lb-letter.pdf'))).toBe(false);
    const response = await fetch(new URL('letters/lb-letter.pdf', serve.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    expect(existsSync(join(root, 'out/letters/lb-letter.pdf'))).toBe(true);
  });
});
