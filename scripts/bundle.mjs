// `npm run build`, second step: bundles the command `postmortem` into dist/cli.js, the ES-module CLI
// into dist/cli-main.js (and the chunks of the commands it loads lazily, beside it), and the whole CLI into dist/cli.cjs (and `check` alone into dist/check.cjs), with source maps, over the files tsc wrote. Starting the CLI then
// reads a few files instead of hundreds of modules. Each module keeps its own `import.meta.url`
// (its place under dist/ as tsc writes it), so worker threads, templates and package lookups
// resolve exactly as in the unbundled build. The worker threads' module (src/threads/worker.ts) is a
// second entry, written over tsc's dist/threads/worker.js: it runs dist/worker.cjs (what a thread
// answers and every module that loads, as CommonJS) with V8's code cache, or, without it, loads
// the same chunks as the CLI.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUILD_ID_FILE, buildIdOf } from '../dist/build-id.js';
import { MODULE_WRAPPER } from '../dist/code-cache.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** `import.meta.url` of a source file as the URL of the file tsc writes for it under dist/. */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const emitted = relative(src, args.path).replace(/\.ts$/, '.js').split('\\').join('/');
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(`./${emitted}`)}, import.meta.url).href`),
        loader: 'ts',
      };
    });
  },
};

/**
 * Every `import … from 'string-width'` (ES modules; CommonJS `require` is left alone) of a bundled package gets that package's own copy wrapped
 * by `withAsciiFastPath` (scripts/ascii-width.mjs): the same widths, without the grapheme walk
 * for plain ASCII. The real copy is required (so esbuild evaluates it lazily) on the first string
 * that is not plain ASCII: its module makes an `Intl.Segmenter` and compiles `\p{RGI_Emoji}`
 * regexes when it loads, about a tenth of `check`'s own CPU, for nothing on a command that prints
 * ASCII.
 */
const asciiWidth = {
  name: 'ascii-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real' || args.kind !== 'import-statement') return undefined;
      const real = await b.resolve('string-width', { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'real' });
      // (paths relative to the package: the bundle names them in comments, and stays the same wherever it is built)
      return { path: relative(root, real.path), namespace: 'ascii-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'ascii-width' }, (args) => ({
      contents: [
        `import { withAsciiFastPath } from ${JSON.stringify(join(root, 'scripts', 'ascii-width.mjs'))};`,
        'let real;',
        `export default withAsciiFastPath((string, options) => (real ??= require(${JSON.stringify(join(root, args.path))}).default)(string, options));`,
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/**
 * zod's messages in English only: \`zod\` exports every locale (\`z.locales\`, ~370 KB, a fifth of
 * what \`check\` loads) and configures \`en\`, the only one the tool uses.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]v4[\\/]/.test(args.importer)) return undefined;
      return { path: relative(root, join(dirname(args.importer), '..', 'locales', 'index.js')), namespace: 'zod-english-only' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(root, dirname(args.path), 'en.js'))};`,
      resolveDir: join(root, dirname(args.path)),
      loader: 'js',
    }));
  },
};

// chunks of an earlier bundle (their names carry a content hash)
const dist = join(root, 'dist');
for (const name of readdirSync(dist)) if (/-[A-Z0-9]{8}\.js(\.map)?$/.test(name)) rmSync(join(dist, name));

/** What both bundles share: Node 20, source maps, packages that stay where npm put them. */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // native, browser-driving and printing packages stay where npm put them (loaded only to print)
  external: ['better-sqlite3', 'playwright-core', 'pdf-lib'],
  logLevel: 'warning',
};

// packages written as CommonJS call require()
const esmRequire = {
  js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};

// dist/cli-main.js, the CLI as ES modules (src/cli.ts: `--help`, no command, an unbundled command),
// the worker threads' module, and the chunks they load lazily
await build({
  ...common,
  entryPoints: [
    { in: join(src, 'cli.ts'), out: 'cli-main' },
    { in: join(src, 'threads', 'worker.ts'), out: 'threads/worker' },
  ],
  outdir: dist,
  splitting: true,
  format: 'esm',
  banner: esmRequire,
  plugins: [ownUrl, asciiWidth, zodEnglishOnly],
});

/**
 * dist/cli.js, the command \`postmortem\` (src/start.ts): one ES module, the few modules it imports
 * inside it, rather than a module and the five chunks it shared with the CLI above: each is one
 * more round of Node's ES-module loader, at every start (−11 to −13 ms of wall time per command;
 * docs/performance.md, fifteenth round). Its one dynamic import, the ES-module CLI, is
 * dist/cli-main.js.
 */
const cliMain = {
  name: 'cli-main',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer === join(src, 'start.ts') ? { path: './cli-main.js', external: true } : undefined,
    );
  },
};
await build({
  ...common,
  entryPoints: [{ in: join(src, 'start.ts'), out: 'cli' }],
  outdir: dist,
  format: 'esm',
  banner: esmRequire,
  plugins: [cliMain, ownUrl],
});

/**
 * Non-ASCII characters esbuild leaves as they are (in comments, and in regular expressions with
 * the `u` flag), written as `\u` escapes, so that `code-cache.ts` reads the bundle into a one-byte
 * string: in a comment that changes nothing, and in a string or regular expression it means the
 * same character.
 */
function escapeNonAscii(file) {
  const text = readFileSync(file, 'utf8');
  // each UTF-16 unit alone: a surrogate pair stays a pair, which means the same code point
  const escaped = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (escaped !== text) writeFileSync(file, escaped);
}

/**
 * Commands with a CommonJS bundle of their own, `dist/<name>.cjs`, holding only that command's
 * modules: the file to read and the code cache to load at every start are then smaller (the
 * other commands' module wrappers are in the bundle's top-level code, and so in its cache). Every
 * other named command runs from `dist/cli.cjs` (src/start.ts takes whichever exists).
 */
const OWN_BUNDLES = ['check'];

/** The other commands' modules stay out of a command's own bundle: it never loads them. */
const onlyCommand = (name) => ({
  name: `only-${name}`,
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !args.importer.endsWith(join('src', 'commands', 'registry.ts'))) return undefined;
      return args.path === `./${name}.js` ? undefined : { path: args.path, external: true };
    });
  },
});

/**
 * better-sqlite3's JavaScript inside the CommonJS bundles, so that the code cache holds it too
 * (as a package it is a dozen files resolved, read and compiled at every start). Its native addon
 * is still found by \`bindings\` in the package's own folder, which is given to it: \`bindings\` then
 * searches the same places without first reading a stack trace to learn which package asked.
 */
const sqliteInBundle = {
  name: 'sqlite-in-bundle',
  setup(b) {
    b.onResolve({ filter: /^bindings$/ }, (args) =>
      /[\\/]better-sqlite3[\\/]lib[\\/]/.test(args.importer) ? { path: 'bindings', namespace: 'sqlite-addon' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'sqlite-addon' }, () => ({
      contents: [
        "const bindings = require('bindings');",
        "const moduleRoot = require('node:path').dirname(require.resolve('better-sqlite3/package.json'));",
        'module.exports = (name) => bindings({ bindings: name, module_root: moduleRoot });',
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/**
 * remark (src/source/remark.ts) from the bundle itself: the source loads it with a \`require\` of
 * its own (\`createRequire\`), which esbuild leaves alone, so a bundle read remark, micromark and
 * their ~150 ES modules from node_modules (resolved, read and compiled, no code cache) the first
 * time a file's timeline was more than a plain list — every build of the example, in every
 * thread, though the letters' code has the same modules bundled already. Without that line, the
 * calls are the bundle's \`require\`, which esbuild bundles and runs on first use.
 */
const bundledRemark = {
  name: 'bundled-remark',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]source[\\/]remark\.ts$/ }, (args) => {
      const line = 'const require = createRequire(import.meta.url);\n';
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(line)) throw new Error(`${args.path}: no "${line.trim()}" to take out`);
      return { contents: text.replace(line, ''), loader: 'ts' };
    });
  },
};

/**
 * dist/<name>.cjs: the CLI (or the worker threads' code, from `entry`) as one CommonJS file, so
 * V8's code cache can hold it (src/code-cache.ts, src/start.ts, src/threads/worker.ts).
 */
async function commonJsBundle(name, plugins, entry = join(src, 'cli-bundle.ts')) {
  const outfile = join(dist, `${name}.cjs`);
  await build({
    ...common,
    entryPoints: [entry],
    outfile,
    format: 'cjs',
    // ES modules' own URL, in CommonJS: this file's (each of our modules keeps its place under dist/, see ownUrl)
    define: { 'import.meta.url': '__bundleUrl' },
    // (inside the module wrapper, which src/code-cache.ts then need not add around a copy of the text)
    banner: { js: `${MODULE_WRAPPER.head}const __bundleUrl = require('node:url').pathToFileURL(__filename).href;` },
    footer: { js: MODULE_WRAPPER.tail },
    // `import()` of the packages left out (playwright-core, pdf-lib: CommonJS both) as `require`:
    // a script run through node:vm has no module loader of its own
    supported: { 'dynamic-import': false },
    external: [...common.external.filter((name) => name !== 'better-sqlite3'), 'better-sqlite3/package.json'],
    // (the given plugins first: `bundledRemark` loads a file `ownUrl` would load too)
    plugins: [...plugins, ownUrl, asciiWidth, zodEnglishOnly, sqliteInBundle],
  });
  escapeNonAscii(outfile);
}

await commonJsBundle('cli', [bundledRemark]);
// (not \`check\`: its bundle stays without remark, ~0.3 MB it would read at every start)
for (const name of OWN_BUNDLES) await commonJsBundle(name, [onlyCommand(name)]);
// what a worker thread runs (src/threads/worker.ts): the requests it answers and the modules they load
await commonJsBundle('worker', [bundledRemark], join(src, 'threads', 'requests.ts'));
// what the thread `build` starts first runs (src/threads/disk-scan.ts, see src/db/early-scan.ts): the scan alone, a few kilobytes
await build({ ...common, entryPoints: [join(src, 'threads', 'disk-scan.ts')], outfile: join(dist, 'disk-scan.cjs'), format: 'cjs' });
// the build's identity, last, over every script written above (src/build-id.ts)
writeFileSync(join(dist, BUILD_ID_FILE), `${buildIdOf(dist)}\n`);
