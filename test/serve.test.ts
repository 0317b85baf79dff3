import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../src/commands/serve.js';
import { UserError } from '../src/commands/context.js';
import { isLoopback } from '../src/serve/address.js';
import { servedHtml, servedPolicy } from '../src/serve/inject.js';
import { pagesReached, problemFromError, ServeSession, type ServeState } from '../src/serve/session.js';
import { isEditorNoise, KnowledgeBaseWatcher, watchTargets } from '../src/serve/watch.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { DNS, siteKb } from './site-fixture.js';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

function kb(): string {
  const root = tempKb(siteKb());
  roots.push(root);
  return root;
}

/** A raw GET (any Host header, any path bytes), as a browser on another site could send it. */
function get(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the address serve listens on', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['example.com', false],
    ['128.0.0.1', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });

  it('refuses a non-loopback address without --allow-remote, before building anything', async () => {
    const root = kb();
    const ctx = captureContext(root);
    const started = startServe(ctx, { host: '0.0.0.0', port: 0 });
    await expect(started).rejects.toThrow(UserError);
    await expect(started).rejects.toThrow('refusing to serve on 0.0.0.0: it is not a loopback address');
    expect(existsSync(join(root, 'out'))).toBe(false);
  });

  it('says so on the command line, with what to do, and exits 1', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--root', kb(), '--host', '0.0.0.0', '--port', '0'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'postmortem: refusing to serve on 0.0.0.0: it is not a loopback address, so other machines could read the knowledge base\n' +
        'Serve on 127.0.0.1 (the default), or pass --allow-remote to serve on another interface on purpose.\n',
    );
  });

  it('rejects a port that is not one', async () => {
    await expect(startServe(captureContext(kb()), { port: 70_000 })).rejects.toThrow('--port 70000 is not a port number (0 to 65535)');
  });
});

describe('what the server changes in a page it sends', () => {
  const letterPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

  it('allows its own script and event stream, and nothing else more', () => {
    expect(servedPolicy(letterPolicy)).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'self'; connect-src 'self'",
    );
    expect(servedPolicy("default-src 'none'; script-src 'none'")).toBe("default-src 'none'; script-src 'self'; connect-src 'self'");
  });

  it('rewrites the page policy and adds the live-reload script before </body>', () => {
    const page = `<html><head><meta http-equiv="Content-Security-Policy" content="${letterPolicy}"></head><body><p>x</p></body></html>`;
    expect(servedHtml(page, 'abc-3').html).toBe(
      `<html><head><meta http-equiv="Content-Security-Policy" content="${letterPolicy}; script-src 'self'; connect-src 'self'"></head>` +
        '<body><p>x</p><script src="/_serve/client.js" data-build="abc-3"></script>\n</body></html>',
    );
  });
});

describe('build problems', () => {
  it('are located when a template error says where', () => {
    const error = new UserError('templates/site/incident.hbs:3:1: error: the template does not parse: Expecting ID', 'see docs/site.md');
    expect(problemFromError(error, 'site')).toEqual({
      file: 'templates/site/incident.hbs',
      line: 3,
      column: 1,
      severity: 'error',
      ruleId: 'site',
      message: 'the template does not parse: Expecting ID (see docs/site.md)',
    });
  });

  it('ignore editor swap and backup files', () => {
    expect(['incidents/.a.md.swp', 'incidents/a.md~', 'incidents/#a.md#', 'incidents/x.tmp'].map(isEditorNoise)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(isEditorNoise('incidents/2007/2007-06-04-lb.md')).toBe(false);
  });
});

describe('the builds behind serve', () => {
  const LB = 'incidents/2007/2007-06-04-lb.md';
  const DNS_FILE = 'incidents/2006/2006-02-01-dns.md';
  const broken = (text: string) => text.replace(/^severity: .*$/m, 'severity: [SEV1');
  const errors = (state: ServeState) => state.problems.filter((p) => p.severity === 'error');

  it('keep the last good pages when a save brings a new error, and build again once it is fixed', async () => {
    const root = kb();
    const ctx = captureContext(root);
    const states: ServeState[] = [];
    const session = new ServeSession(ctx, (state) => states.push(state));
    const page = () => readFileSync(join(root, 'out/site/incidents/2007-06-04-lb.html'), 'utf8');
    const first = await session.build([]);
    expect(first.held).toBe(false);
    expect(errors(first)).toEqual([]);
    const good = page();

    writeFileSync(join(root, LB), broken(readFileSync(join(root, LB), 'utf8')).replace('Webmail', 'Broken webmail'));
    const held = await session.build([LB]);
    expect(held.held).toBe(true);
    expect(held.build).toBe(first.build);
    expect(errors(held).map((p) => `${p.file}:${p.line}:${p.column} [${p.ruleId}]`)).toEqual([`${LB}:6:1 [yaml-syntax]`]);
    expect(page()).toBe(good);
    expect(ctx.out_()).toContain(`${LB}:6:1: error malformed YAML`);
    expect(ctx.out_()).toContain(`Kept the last good build: new errors in ${LB}. Fix and save to build again.\n`);

    writeFileSync(join(root, LB), readFileSync(join(root, LB), 'utf8').replace('severity: [SEV1', 'severity: SEV1'));
    const fixed = await session.build([LB]);
    expect(fixed.held).toBe(false);
    expect(errors(fixed)).toEqual([]);
    expect(fixed.build).not.toBe(first.build);
    expect(page()).toContain('Broken webmail');
    expect(states).toEqual([first, held, fixed]);
  });

  it('give each page a version that changes only when a build changed its file (or a file every page uses)', async () => {
    const root = kb();
    const session = new ServeSession(captureContext(root), () => undefined);
    await session.build([]);
    const lbPage = 'site/incidents/2007-06-04-lb.html';
    const dnsPage = 'site/incidents/2006-02-01-dns.html';
    const before = [lbPage, dnsPage, 'site/index.html'].map((p) => session.versionOf(p));
    // a write-up edit: the incident's page changes, not the other incident's, nor the index's rows
    writeFileSync(
      join(root, LB),
      readFileSync(join(root, LB), 'utf8').replace('## Lessons learned\n', '## Lessons learned\n\nAn edited lesson.\n'),
    );
    await session.build([LB]);
    expect(session.versionOf(lbPage)).not.toBe(before[0]);
    expect(session.versionOf(dnsPage)).toBe(before[1]);
    // a style sheet of its own: every page
    mkdirSync(join(root, 'templates/site/assets'), { recursive: true });
    writeFileSync(join(root, 'templates/site/assets/site.css'), 'body { color: black }\n');
    await session.build(['templates/site/assets/site.css']);
    expect(session.versionOf(dnsPage)).not.toBe(before[1]);
    expect(session.versionOf(undefined)).toBe(session.state.build);
  });

  it('reach pages by the files a build wrote', () => {
    expect(pagesReached(['site/incidents/a.html', 'site/assets/search/shard-001.js', 'letters/x.pdf', 'letters/x.md'])).toEqual({
      pages: ['site/incidents/a.html', 'site/index.html'],
      all: false,
    });
    expect(pagesReached(['site/assets/site.css']).all).toBe(true);
  });

  it('are not held back by errors that were there at the start', async () => {
    const root = tempKb(siteKb({ [DNS_FILE]: broken(DNS) }));
    roots.push(root);
    const session = new ServeSession(captureContext(root), () => undefined);
    expect(errors(await session.build([])).map((p) => p.file)).toEqual([DNS_FILE]);
    writeFileSync(join(root, LB), readFileSync(join(root, LB), 'utf8').replace('Webmail', 'Edited webmail'));
    expect((await session.build([LB])).held).toBe(false);
    expect(readFileSync(join(root, 'out/site/incidents/2007-06-04-lb.html'), 'utf8')).toContain('Edited webmail');
  });
});

describe('the watcher', () => {
  it('reports every save, also saves that rename a new file over the old one, and files in folders made since', async () => {
    const root = tempKb({ 'incidents/2007/a.md': 'one\n', 'postmortem.config.yaml': '' });
    roots.push(root);
    const batches: string[][] = [];
    const watcher = new KnowledgeBaseWatcher(root, (paths) => batches.push(paths), 30);
    try {
      watcher.arm(watchTargets(root, undefined));
      const next = async (save: () => void) => {
        const seen = batches.length;
        save();
        await expect.poll(() => batches.length, { timeout: 10_000, interval: 20 }).toBeGreaterThan(seen);
        return batches.at(-1)!;
      };
      // an editor's atomic save, twice: the second one is missed by Node 20's recursive fs.watch on Linux
      const atomicSave = (text: string) => () => {
        writeFileSync(join(root, 'incidents/2007/.a.md.tmp'), text);
        renameSync(join(root, 'incidents/2007/.a.md.tmp'), join(root, 'incidents/2007/a.md'));
      };
      expect(await next(atomicSave('two\n'))).toEqual(['incidents/2007/a.md']);
      expect(await next(atomicSave('three\n'))).toEqual(['incidents/2007/a.md']);
      expect(await next(() => writeFileSync(join(root, 'postmortem.config.yaml'), 'organization: X\n'))).toEqual([
        'postmortem.config.yaml',
      ]);
      expect(await next(() => mkdirSync(join(root, 'incidents/2008')))).toEqual(['incidents/2008']);
      watcher.arm(watchTargets(root, undefined));
      expect(await next(() => writeFileSync(join(root, 'incidents/2008/b.md'), 'b\n'))).toEqual(['incidents/2008/b.md']);
    } finally {
      watcher.close();
    }
  });
});

describe('postmortem serve, the command', () => {
  let child: ReturnType<typeof spawn>;
  let url = '';
  let stdout = '';
  const exit = () => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, 'serve', '--root', kb(), '--port', '0'], { env: { ...process.env, NO_COLOR: '1' } });
    url = await new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const found = /Serving the site at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (found) resolve(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}`)));
    });
  }, 120_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves the site with the live-reload script and a policy that allows nothing remote', async () => {
    const page = await get(url, '/index.html');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; connect-src 'self'",
    );
    expect(page.body).toMatch(/<script src="\/_serve\/client\.js" data-build="[0-9a-f]{8}-1"><\/script>\n<\/body>/);
    const events = await new Promise<string>((resolve) => {
      const { hostname, port } = new URL(url);
      request({ hostname, port, path: '/_serve/events' }, (res) => {
        res.setEncoding('utf8').once('data', (chunk: string) => {
          res.destroy();
          resolve(chunk);
        });
      }).end();
    });
    expect(events).toMatch(/^retry: 1000\nevent: state\ndata: \{"build":"[0-9a-f]{8}-1","held":false,"problems":\[\]\}\n\n$/);
  });

  it('serves nothing outside the output folder, and answers only to a loopback Host', async () => {
    expect((await get(url, '/%2e%2e/%2e%2e/postmortem.config.yaml')).status).toBe(404);
    expect((await get(url, '/letters/%2e%2e/postmortems.db')).status).toBe(404);
    expect((await get(url, '/index.html', { Host: 'attacker.example:80' })).status).toBe(403);
    expect((await get(url, '/letters/none.pdf')).status).toBe(404);
    expect((await get(url, '/letters/%E0%A4%A.pdf')).status).toBe(404);
    expect((await get(url, '/%E0%A4%A.html')).status).toBe(404);
  });

  it('stops on SIGINT, exit code 0, also with a page listening', async () => {
    const { hostname, port } = new URL(url);
    let connected = () => {};
    const open = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const listening = new Promise<string>((resolve) => {
      request({ hostname, port, path: '/_serve/events' }, (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (chunk: string) => {
            text += chunk;
            connected();
          })
          .on('end', () => resolve(text));
      }).end();
    });
    await open;
    const exited = exit();
    child.kill('SIGINT');
    expect(await listening).toMatch(/^retry: 1000\nevent: state\n/);
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/Stopped\.\n$/);
  });
});
