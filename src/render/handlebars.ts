import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
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
  compile(source: string): (data: object) => string;
  registerPartialFile(root: string, partialName: string, fileName: string): void;
}

export function createEnvironment(audience: Audience, helpers: Record<string, Helper>): TemplateEnvironment {
  const hb = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
  const knownHelpers = Object.fromEntries(Object.keys(helpers).map((k) => [k, true]));
  const runtime: Handlebars.RuntimeOptions = {
    allowProtoPropertiesByDefault: false,
    allowProtoMethodsByDefault: false,
  };
  const compile = (source: string) => {
    const template = hb.compile(source, { strict: true, knownHelpers, knownHelpersOnly: true, preventIndent: true });
    return (data: object) => template(data, runtime);
  };
  return {
    audience,
    compile,
    load: (root, name) => compile(readFileSync(templatePath(root, name), 'utf8')),
    registerPartialFile(root, partialName, fileName) {
      hb.registerPartial(partialName, readFileSync(templatePath(root, fileName), 'utf8'));
    },
  };
}

/** Marks HTML that was produced by `markdownToHtml` (already sanitised) as safe to insert. */
export function sanitizedHtml(html: string): Handlebars.SafeString {
  return new Handlebars.SafeString(html);
}
