import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { dirname, join } from 'node:path';
import { loadConfig } from '../kb/config.js';
import { idsOfFiles, INCIDENTS_DIR, scanIncidentFiles } from '../kb/files.js';
import { requireId } from '../schema/id.js';
import { onFile } from '../output/file-error.js';
import { requireRoot } from '../kb/targets.js';
import { slugify } from '../source/sections.js';
import { resolveToday } from '../kb/validate.js';
import { today, type Temporal } from '../model/time.js';
import { templatePath } from '../paths.js';
import { UserError, type CliEnv, type CommandContext, type CommandResult, type CommandBody } from './context.js';

export interface NewResult extends CommandResult {
  id: string;
  file: string;
}

/** Renders the new-incident template (the knowledge base's own, or the default). */
export function newIncidentText(
  root: string,
  values: {
    id: string;
    title: string;
    date: Temporal.PlainDate;
    zone: string;
    author: string;
    service: string;
    severity: string;
    severities: readonly string[];
    categories: readonly string[];
  },
): string {
  const zoned = values.date.toZonedDateTime({ timeZone: values.zone, plainTime: '09:00' });
  const hb = Handlebars.create();
  hb.registerHelper('yaml', (v: unknown) => JSON.stringify(String(v)));
  hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(String(sep)) : ''));
  const template = hb.compile(readFileSync(templatePath(root, 'new-incident.md.hbs'), 'utf8'), { noEscape: true, strict: true });
  return template(
    {
      ...values,
      date: values.date.toString(),
      time: '09:00',
      offset: zoned.offset,
      at: `${values.date.toString()}T09:00:00${zoned.offset}`,
    },
    { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false },
  );
}

/** The id part made from a title (ASCII letters and digits, at most 60 characters), or undefined when it has none. */
function titleSlug(title: string): string | undefined {
  const slug = slugify(title).slice(0, 60).replace(/-+$/, '');
  // `slugify` names a heading with no such characters "section"; that is no incident's name.
  return /[a-z0-9]/.test(title.normalize('NFKD').toLowerCase()) ? slug : undefined;
}

export function runNew(ctx: CommandContext, options: { title: string; author?: string; id?: string }): NewResult {
  const title = options.title.trim();
  if (!title) throw new UserError('the title is empty', 'Give the incident a one-line title: postmortem new "Mail delayed in Dulles"');
  requireRoot(ctx.root);
  const { config } = loadConfig(ctx.root);
  // Filed today (or on --now): the config's as_of only fixes the date the knowledge base is evaluated at.
  const date = ctx.now ? resolveToday(config, ctx.now) : today(config.timezone);
  const slug = titleSlug(title);
  const id = options.id ?? `${date.toString()}-${slug ?? 'incident'}`;
  requireId(options.id === undefined ? 'the generated id' : '--id', id);
  if (!options.id && !slug) {
    ctx.stderr.write(`The title has no letters a-z or digits to make an id from, so the id is ${id}; pass --id to choose one.\n`);
  }
  const file = `${INCIDENTS_DIR}/${date.year}/${id}.md`;
  const path = join(ctx.root, file);
  const taken = scanIncidentFiles(ctx.root).files.find((f) => idsOfFiles([f]).has(id));
  if (taken) throw new UserError(`the id ${id} is already used by ${taken}`, 'Incident ids are unique: choose another title or pass --id.');
  const author = options.author ?? config.owners[0]?.id ?? 'replace-me';
  const severity = config.severities[Math.min(2, config.severities.length - 1)]!;
  const text = newIncidentText(ctx.root, {
    id,
    title,
    date,
    zone: config.timezone,
    author,
    severity,
    service: config.services[0] ?? 'replace-me',
    severities: config.severities,
    categories: config.categories,
  });
  onFile(path, 'write', () => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { flag: 'wx' });
  });
  ctx.stdout.write(`Created ${file}\nFill it in, then run: postmortem check ${file}\n`);
  return { exitCode: 0, id, file };
}

export const newCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    y
      .positional('title', { type: 'string', demandOption: true, describe: 'One-line title' })
      .option('author', { type: 'string', describe: 'Owner id of the author (default: first owner in the config)' })
      .option('id', { type: 'string', describe: 'Use this id instead of date + slug' }),
  handler: (argv) => {
    env.finish(
      runNew(env.context(argv), {
        title: String(argv.title),
        author: argv.author as string | undefined,
        id: argv.id as string | undefined,
      }),
    );
  },
});
