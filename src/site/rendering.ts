/**
 * The code that renders the site's pages: Markdown (markdown-it → hast → HTML), Handlebars,
 * the charts and the Atom feed. Loaded only through `render-kit.ts`, when some page is rendered,
 * so a build with nothing to render never loads it (~1.3 MB of the bundle).
 */
export { barChart, phaseBar, pointChart, stackedBarChart } from '../charts/index.js';
export { renderExport } from '../export/render.js';
export { phasesOf } from '../packet/incident-view.js';
export { createEnvironment, sanitizedHtml } from '../render/handlebars.js';
export { markdownToHtml } from '../render/markdown.js';
export { NATIVE_TEMPLATES } from './native-templates.js';
