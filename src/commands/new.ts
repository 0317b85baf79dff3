import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { dirname, join } from 'node:path';
import { loadConfig } from '../kb/config.js';
import { INCIDENTS_DIR } from '../kb/files.js';
import { slugify } from '../source/sections.js';
import { resolveToday } from '../kb/validate.js';
import type { Temporal } from '../model/time.js';
import { templatePath } from '../paths.js';
import { UserError, type CliEnv, type CommandContext, type CommandResult, type CommandBody } from './context.js';

export interface NewResult extends CommandResult {
  id: string;
  file: string;
}

/** Renders the new-incident template (the knowledge base's own, or the default). */
export function newIncidentText(root: string, values: {
  id: string; title: string; date: Temporal.PlainDate; zone: string; author: string; service: string;
  severity: string; severities: readonly string[]; categories: readonly string[];
}): string {
  const zoned = values.date.toZonedDateTime({ timeZone: values.zone, plainTime: '09:00' });
  const hb = Handlebars.create();
  hb.registerHelper('yaml', (v: unknown) => JSON.stringify(String(v)));
  hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(String(sep)) : ''));
  const template = hb.compile(readFileSync(templatePath(root, 'new-incident.md.hbs'), 'utf8'), { noEscape: true, strict: true });
  return template({
    ...values,
    date: values.date.toString(),
    time: '09:00',
    offset: zoned.offset,
    at: `${values.date.toString()}T09:00:00${zoned.offset}`,
  }, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}

export function runNew(ctx: CommandContext, options: { title: string; author?: string; id?: string }): NewResult {
  const title = options.title.trim();
  if (!title) throw new UserError('the title is empty', 'Give the incident a one-line title: postmortem new "Mail delayed in Dulles"');
  const { config } = loadConfig(ctx.root);
  const date = resolveToday(config, ctx.now);
  const slug = slugify(title).slice(0, 60).replace(/-+$/, '');
  const id = options.id ?? `${date.toString()}-${slug}`;
  const file = `${INCIDENTS_DIR}/${date.year}/${id}.md`;
  const path = join(ctx.root, file);
  if (existsSync(path)) throw new UserError(`${file} already exists`, 'Choose another title or pass --id.');
  const author = options.author ?? config.owners[0]?.id ?? 'replace-me';
  mkdirSync(dirname(path), { recursive: true });
  const severity = config.severities[Math.min(2, config.severities.length - 1)]!;
  writeFileSync(path, newIncidentText(ctx.root, {
    id, title, date, zone: config.timezone, author, severity, service: config.services[0] ?? 'replace-me',
    severities: config.severities, categories: config.categories,
  }), { flag: 'wx' });
  ctx.stdout.write(`Created ${file}\nFill it in, then run: postmortem check ${file}\n`);
  return { exitCode: 0, id, file };
}

export const newCommand = (env: CliEnv): CommandBody => ({
  builder: (y) => y
    .positional('title', { type: 'string', demandOption: true, describe: 'One-line title' })
    .option('author', { type: 'string', describe: 'Owner id of the author (default: first owner in the config)' })
    .option('id', { type: 'string', describe: 'Use this id instead of date + slug' }),
  handler: (argv) => {
    env.finish(runNew(env.context(argv), { title: String(argv.title), author: argv.author as string | undefined, id: argv.id as string | undefined }));
  },
});
