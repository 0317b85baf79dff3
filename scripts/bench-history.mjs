// Measures the cost of reading the git history on the generated 10,000-incident knowledge base.
// Usage: npm run build && node scripts/bench-history.mjs [/tmp/hist10k] [--with-build]
// Makes (once) a repository of 300 commits dated from 2006: commits 1-200 add the incidents in
// batches of 50 with every remediation open; commits 201-300 bring 100 incidents each to their
// final text (remediations done, in progress or dropped). Then times the history walk from
// scratch, again with nothing new, and after one more commit (and, with --with-build, a cold
// database build including the history).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '/tmp/hist10k';
const dist = new URL('../dist/', import.meta.url);
const { generateKnowledgeBase } = await import(new URL('bench/generate.js', dist));
const { listIncidentFiles } = await import(new URL('kb/files.js', dist));
const { loadConfig } = await import(new URL('kb/config.js', dist));
const { updateHistory } = await import(new URL('history/history.js', dist));
const { updateKnowledgeBase } = await import(new URL('db/knowledge-base.js', dist));

const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (args, date) =>
  execFileSync('git', ['-C', root, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: date ? { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : env,
  });
const day = (n) => new Date(Date.UTC(2006, 0, 1 + n, 15)).toISOString().replace('.000Z', 'Z');

if (!existsSync(join(root, '.git'))) {
  generateKnowledgeBase(root, 10000);
  const files = listIncidentFiles(root);
  const final = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  for (const f of files)
    writeFileSync(join(root, f), final.get(f).replace(/^ {4}status: (done|in-progress|wont-do)$/gm, '    status: open'));
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'Bench']);
  git(['config', 'user.email', 'bench@example.com']);
  writeFileSync(join(root, '.gitignore'), 'out/\n');
  git(['add', 'postmortem.config.yaml', '.gitignore']);
  for (let i = 0; i < 200; i++) {
    git(['add', ...files.slice(i * 50, (i + 1) * 50)]);
    git(['commit', '-q', '-m', `incidents ${i}`], day(i * 2));
  }
  for (let i = 0; i < 100; i++) {
    const batch = files.slice(i * 100, (i + 1) * 100);
    for (const f of batch) writeFileSync(join(root, f), final.get(f));
    git(['add', ...batch]);
    git(['commit', '-q', '-m', `status ${i}`], day(400 + i * 3));
  }
}

const { config } = loadConfig(root);
const path = '/tmp/hist10k-history.json';
rmSync(path, { force: true });
const time = (label, run) => {
  const t = performance.now();
  const h = run();
  console.log(
    `${label}: ${((performance.now() - t) / 1000).toFixed(2)} s wall, ${(process.cpuUsage().user / 1e6).toFixed(1)} s user CPU so far (${h.read} commits read, ${h.rows().length} changes, ${h.problems.length} warnings)`,
  );
};
time('history from scratch', () => updateHistory(root, config, 'bench', path));
time('history, nothing new', () => updateHistory(root, config, 'bench', path));
const one = listIncidentFiles(root)[0];
writeFileSync(join(root, one), readFileSync(join(root, one), 'utf8').replace(/^ {4}status: open$/m, '    status: done'));
git(['commit', '-q', '-am', 'one more'], day(800));
time('history, one new commit', () => updateHistory(root, config, 'bench', path));
git(['reset', '-q', '--hard', 'HEAD~1']);
if (!process.argv.includes('--with-build')) process.exit(0);
const out = '/tmp/hist10k-out';
rmSync(out, { recursive: true, force: true });
const t = performance.now();
await updateKnowledgeBase({ root, out, stdout: process.stdout, stderr: process.stderr, color: false });
console.log(`cold database build with history: ${((performance.now() - t) / 1000).toFixed(2)} s`);
