/**
 * The code that renders the site's pages: Handlebars, the charts and the native templates.
 * Loaded only through `render-kit.ts`, when some page is rendered, so a build with nothing to
 * render never loads it (~1.3 MB of the bundle). Markdown (markdown-it → hast → HTML) and the
 * Atom feed's export code (the letters' customer view) are loaded apart from it, when used.
 */
export { barChart, phaseBar, pointChart, stackedBarChart } from '../charts/index.js';
export { phasesOf } from '../packet/phases.js';
export { createEnvironment, sanitizedHtml } from '../render/handlebars.js';
export { NATIVE_TEMPLATES } from './native-templates.js';
