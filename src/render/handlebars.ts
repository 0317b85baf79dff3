import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { UserError } from '../commands/context.js';
import { templatePath } from '../paths.js';
import type { Audience } from './markdown.js';

/**
 * One Handlebars environment per audience: strict mode, no prototype access, only the
 * helpers registered here (plus the built-ins). Templates come only from `templates/`.
 */
export type Helper = (...args: unknown[]) => unknown;

export interface TemplateEnvironment {
  audience: Audience;
  /** Compiles a template by file name (the knowledge base's own templates/ first, then the defaults). */
  load(root: string, name: string): (data: object) => string;
  compile(source: string | hbs.AST.Program): (data: object) => string;
  registerPartialFile(root: string, partialName: string, fileName: string): void;
}

/** `hint`: what to tell the author of a template that could not be filled (printed under the error). */
export function createEnvironment(
  audience: Audience,
  helpers: Record<string, Helper>,
  options: { hint?: string } = {},
): TemplateEnvironment {
  const hb = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
  const knownHelpers = Object.fromEntries(Object.keys(helpers).map((k) => [k, true]));
  const runtime: Handlebars.RuntimeOptions = {
    allowProtoPropertiesByDefault: false,
    allowProtoMethodsByDefault: false,
  };
  const compile = (source: string | hbs.AST.Program) => {
    const template = hb.compile(source, { strict: true, knownHelpers, knownHelpersOnly: true, preventIndent: true });
    return (data: object) => template(data, runtime);
  };
  return {
    audience,
    compile,
    load: (root, name) => {
      const { ast, where } = readTemplate(hb, root, name);
      const template = compile(ast);
      return (data: object) => {
        try {
          return template(data);
        } catch (error) {
          // a knowledge base's own template asking for what its model does not have, say
          // (Handlebars ends the message with ` - line:column`, column from 0)
          const message = firstLine(error);
          const at = / - (\d+):(\d+)$/.exec(message);
          const located = at ? `${where}:${at[1]}:${Number(at[2]) + 1}` : where;
          throw new UserError(
            `${located}: error: the template could not be filled: ${at ? message.slice(0, at.index) : message}`,
            options.hint ?? 'A template can use only what its page or document gives it (see "Your own templates" in docs/site.md).',
          );
        }
      };
    },
    registerPartialFile(root, partialName, fileName) {
      // a partial is given as text (Handlebars' runtime compiles only strings), parsed again when first used
      hb.registerPartial(partialName, readTemplate(hb, root, fileName).source);
    },
  };
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * A template's text, parsed once here so that a syntax error is reported where it is
 * (`templates/site/incident.hbs:3:1: error ...`) before anything is rendered with it. The parse
 * is what `compile` is given (it then only strips standalone lines' whitespace, as it does after
 * parsing a text), so a template is not parsed a second time when first filled.
 */
function readTemplate(hb: typeof Handlebars, root: string, name: string): { source: string; ast: hbs.AST.Program; where: string } {
  const file = templatePath(root, name);
  const shown = relative(root, file);
  const where = shown.startsWith('..') ? file : shown;
  const source = readFileSync(file, 'utf8');
  try {
    return { source, ast: hb.parseWithoutProcessing(source), where };
  } catch (error) {
    const line = /line (\d+)/.exec(firstLine(error))?.[1] ?? '1';
    const detail = (error instanceof Error ? error.message : String(error)).split('\n').at(-1) ?? '';
    throw new UserError(`${where}:${line}:1: error: the template does not parse: ${detail}`);
  }
}

/** Marks HTML that was produced by `markdownToHtml` (already sanitised) as safe to insert. */
export function sanitizedHtml(html: string): Handlebars.SafeString {
  return new Handlebars.SafeString(html);
}
