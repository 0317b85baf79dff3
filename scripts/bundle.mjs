// `npm run build`, second step: bundles the CLI into dist/cli.js (and the chunks of the commands it
// loads lazily, beside it), with source maps, over the files tsc wrote. Starting the CLI then
// reads a few files instead of hundreds of modules. Each module keeps its own `import.meta.url`
// (its place under dist/ as tsc writes it), so worker threads, templates and package lookups
// resolve exactly as in the unbundled build. The worker threads' module (src/threads/worker.ts) is a
// second entry, written over tsc's dist/threads/worker.js: a thread then loads the same chunks as
// the CLI (a few files) instead of tsc's hundreds of modules, each resolved and read on its own.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

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
 * for plain ASCII.
 */
const asciiWidth = {
  name: 'ascii-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real' || args.kind !== 'import-statement') return undefined;
      const real = await b.resolve('string-width', { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'real' });
      return { path: real.path, namespace: 'ascii-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'ascii-width' }, (args) => ({
      contents: [
        `import real from ${JSON.stringify(args.path)};`,
        `import { withAsciiFastPath } from ${JSON.stringify(join(root, 'scripts', 'ascii-width.mjs'))};`,
        'export default withAsciiFastPath(real);',
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
};

// chunks of an earlier bundle (their names carry a content hash)
const dist = join(root, 'dist');
for (const name of readdirSync(dist)) if (/-[A-Z0-9]{8}\.js(\.map)?$/.test(name)) rmSync(join(dist, name));

await build({
  entryPoints: { cli: join(src, 'cli.ts'), 'threads/worker': join(src, 'threads', 'worker.ts') },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // native, browser-driving and printing packages stay where npm put them (loaded only to print)
  external: ['better-sqlite3', 'playwright-core', 'pdf-lib'],
  // packages written as CommonJS call require()
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [ownUrl, asciiWidth],
  logLevel: 'warning',
});
