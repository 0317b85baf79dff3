import { escapeXml as escape } from '../charts/svg.js';
import type { Config } from '../schema/config.js';
import type { ServeState } from './session.js';

/**
 * The pages only the server has: the list of letters and packets (their HTML previews and
 * PDFs on request), and the page for a missing file or a PDF that could not be printed.
 */
const page = (title: string, body: string) => `<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'">
<meta charset="utf-8">
<title>${escape(title)}</title>
</head>
<body>
<main>
<h1>${escape(title)}</h1>
${body}
</main>
</body>
</html>
`;

export function documentsPage(config: Config | undefined, state: ServeState): string {
  const documents = config?.documents ?? [];
  const items = documents.map((d) => {
    const base = `/${d.type}s/${encodeURIComponent(d.name)}`;
    return `<li>${d.type} <a href="${base}.html">${escape(d.name)}</a> (<a href="${base}.pdf">PDF</a>)</li>`;
  });
  const held = state.held ? '<p>The last build was held back by new errors: these are the last good previews.</p>\n' : '';
  const list = items.length
    ? `<ul>\n${items.join('\n')}\n</ul>`
    : '<p>The config declares no letters or packets (<code>documents:</code>).</p>';
  return page('Letters and packets', `${held}${list}\n<p><a href="/index.html">The site</a></p>`);
}

export function errorPage(title: string, detail: string): string {
  return page(title, `<pre>${escape(detail)}</pre>`);
}
