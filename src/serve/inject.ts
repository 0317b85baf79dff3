/**
 * What the server changes in an HTML page it sends (never in the files on disk): the live-reload
 * script, and the page's own Content Security Policy widened just enough for it — scripts and
 * the event stream from this server. Nothing remote is ever allowed.
 */
export const SERVE_PREFIX = '/_serve/';
export const CLIENT_PATH = `${SERVE_PREFIX}client.js`;
export const EVENTS_PATH = `${SERVE_PREFIX}events`;

/** For pages without a policy of their own. */
const DEFAULT_POLICY = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

const CSP_META = /<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(["'])(.*?)\1\s*\/?>/i;

/** `policy` with `'self'` allowed for scripts and connections (the live-reload script and its event stream). */
export function servedPolicy(policy: string | undefined): string {
  const directives = new Map<string, string[]>();
  for (const part of (policy ?? DEFAULT_POLICY).split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  for (const name of ['script-src', 'connect-src']) {
    const sources = (directives.get(name) ?? []).filter((s) => s !== "'none'");
    if (!sources.includes("'self'")) sources.push("'self'");
    directives.set(name, sources);
  }
  return [...directives].map(([name, sources]) => [name, ...sources].join(' ')).join('; ');
}

/** The page as served: its policy (for the response header too) and the script that listens for rebuilds. */
export function servedHtml(html: string, build: string): { html: string; policy: string } {
  const meta = CSP_META.exec(html);
  const policy = servedPolicy(meta ? decodeAttribute(meta[2]!) : undefined);
  let page = meta
    ? html.slice(0, meta.index) +
      `<meta http-equiv="Content-Security-Policy" content="${policy.replace(/"/g, '&quot;')}">` +
      html.slice(meta.index + meta[0].length)
    : html;
  const script = `<script src="${CLIENT_PATH}" data-build="${build}"></script>\n`;
  const end = page.toLowerCase().lastIndexOf('</body>');
  page = end === -1 ? page + script : page.slice(0, end) + script + page.slice(end);
  return { html: page, policy };
}

const decodeAttribute = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
