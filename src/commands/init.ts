import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_FILE } from '../kb/config.js';
import { INCIDENTS_DIR } from '../kb/files.js';
import { DEFAULT_TEMPLATES } from '../paths.js';
import { shownPath } from '../output/file-error.js';
import { UserError, type CliEnv, type CommandContext, type CommandResult, type CommandBody } from './context.js';

/** Templates copied into a new knowledge base (everything but the init skeleton itself). */
function copyTemplates(target: string): string[] {
  const copied: string[] = [];
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(DEFAULT_TEMPLATES, { withFileTypes: true })) {
    if (entry.name === 'init') continue;
    cpSync(join(DEFAULT_TEMPLATES, entry.name), join(target, entry.name), { recursive: true, errorOnExist: false, force: false });
    copied.push(entry.name);
  }
  return copied.sort();
}

/** `postmortem init [dir]`: an empty knowledge base with a commented config, incidents/ and templates/. */
export function runInit(ctx: CommandContext, options: { dir?: string }): CommandResult & { dir: string } {
  const dir = resolve(ctx.root, options.dir ?? '.');
  const configPath = join(dir, CONFIG_FILE);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(
      `${shownPath(dir)} is a file, not a folder`,
      'Name a new or existing folder for the knowledge base: postmortem init <folder>',
    );
  }
  if (existsSync(configPath)) {
    throw new UserError(`${configPath} already exists`, 'This folder is already a knowledge base; nothing was changed.');
  }
  mkdirSync(join(dir, INCIDENTS_DIR), { recursive: true });
  writeFileSync(join(dir, INCIDENTS_DIR, '.gitkeep'), '');
  cpSync(join(DEFAULT_TEMPLATES, 'init', CONFIG_FILE), configPath);
  copyTemplates(join(dir, 'templates'));
  if (!existsSync(join(dir, '.gitignore'))) writeFileSync(join(dir, '.gitignore'), 'out/\n');
  ctx.stdout.write(
    `Created a knowledge base in ${dir}\n  ${CONFIG_FILE}\n  ${INCIDENTS_DIR}/\n  templates/\nNext: cd ${dir} && postmortem new "First incident"\n`,
  );
  return { exitCode: 0, dir };
}

export const initCommand = (env: CliEnv): CommandBody => ({
  builder: (y) => y.positional('dir', { type: 'string', describe: 'Folder to create it in (default: the root)' }),
  handler: (argv) => {
    env.finish(runInit(env.context(argv), { dir: argv.dir as string | undefined }));
  },
});
