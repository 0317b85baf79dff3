// Links this checkout's own CLI into node_modules/.bin so that `npx postmortem`
// runs the local build instead of fetching an unrelated package from the registry.
import { mkdirSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'cli.js');
const link = join(root, 'node_modules', '.bin', 'postmortem');
mkdirSync(dirname(link), { recursive: true });
rmSync(link, { force: true });
symlinkSync(relative(dirname(link), target), link);
chmodSync(target, 0o755);
