import { join } from 'node:path';
import { DEFAULT_TEMPLATES, templatePath } from '../paths.js';
import type { TemplateEnvironment } from '../render/handlebars.js';
import { SITE_PATHS } from './links.js';
import type { SiteData } from './model.js';
import { renderKit } from './render-kit.js';

/**
 * Fills the site's templates (`templates/site/`, overridable by the knowledge base's own):
 * a page is its template inside `layout.hbs`; a piece (a row, the links section) is one
 * template on its own. Each thread that renders pages makes its own.
 */
const HELPERS = {
  join: (list: unknown, separator: unknown) => (Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : ''),
  concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
};

const PARTIALS = {
  incidentTable: 'incident-table.hbs',
  ownerLink: 'owner-link.hbs',
  incidentRefs: 'incident-refs.hbs',
  remediationTable: 'remediation-table.hbs',
  ownerRole: 'owner-role.hbs',
};

const NAV = [
  { key: 'index', label: 'Incidents', href: SITE_PATHS.index },
  { key: 'trends', label: 'Trends', href: SITE_PATHS.trends },
  { key: 'services', label: 'Services', href: SITE_PATHS.services },
  { key: 'categories', label: 'Categories', href: SITE_PATHS.categories },
  { key: 'actions', label: 'Action items', href: SITE_PATHS.actions },
  { key: 'owners', label: 'Owners', href: SITE_PATHS.owners },
] as const;

type NavKey = (typeof NAV)[number]['key'] | 'none';

/** A template's string builder (`native-templates.ts`), unless the knowledge base has its own of a file it stands for. */
export function nativeTemplate(root: string, name: string): ((data: object) => string) | undefined {
  const native = renderKit().NATIVE_TEMPLATES.get(name);
  const own = (file: string) => templatePath(root, `site/${file}`) !== join(DEFAULT_TEMPLATES, 'site', file);
  return native && !native.files.some(own) ? native.fill : undefined;
}

export const baseOf = (path: string) => '../'.repeat(path.split('/').length - 1);

export class Renderer {
  /** Handlebars with the partials, made for the first template that has no string builder (after an edit, often none). */
  private handlebars: TemplateEnvironment | undefined;
  private readonly templates = new Map<string, (data: object) => string>();

  constructor(
    private readonly root: string,
    private readonly data: SiteData,
  ) {}

  private get env(): TemplateEnvironment {
    if (!this.handlebars) {
      this.handlebars = renderKit().createEnvironment('internal', HELPERS);
      for (const [name, file] of Object.entries(PARTIALS)) this.handlebars.registerPartialFile(this.root, name, `site/${file}`);
    }
    return this.handlebars;
  }

  private template(name: string) {
    let t = this.templates.get(name);
    if (!t) this.templates.set(name, (t = nativeTemplate(this.root, name) ?? this.env.load(this.root, `site/${name}`)));
    return t;
  }

  page(path: string, template: string, model: object, o: { title: string; nav: NavKey; scripts?: string[] }): string {
    const base = baseOf(path);
    const body = this.template(template)({ ...model, base });
    return this.template('layout.hbs')({
      base,
      pageTitle: o.title,
      siteTitle: this.data.siteTitle,
      nav: NAV.map((n) => ({ ...n, current: n.key === o.nav })),
      scripts: o.scripts ?? [],
      footer: `${this.data.config.organization} — internal incident records; do not share outside the company.`,
      body: renderKit().sanitizedHtml(body),
    });
  }

  /** A piece of a page on its own: a table row (`incident-row.hbs`, `remediation-row.hbs`), the links (`incident-links.hbs`). */
  piece(template: string, model: object): string {
    return this.template(template)(model);
  }
}
