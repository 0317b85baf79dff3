import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { Problem } from '../problems.js';
import { SITE_DIR } from '../site/build.js';
import { hostAllowed } from './address.js';
import { CLIENT_SCRIPT } from './client.js';
import { documentsPage, errorPage } from './pages.js';
import { CLIENT_PATH, EVENTS_PATH, SERVE_PREFIX, servedHtml } from './inject.js';
import type { DocumentKind, ServeSession, ServeState } from './session.js';

/**
 * The preview server: `<out>/site` at `/`, the letters and packets at `/letters/` and
 * `/packets/` (their PDFs printed on request), the list of documents at `/_serve/`, the
 * live-reload script and its event stream under `/_serve/`. GET and HEAD only; nothing is
 * cached by the browser; every HTML page gets the live-reload script as it is sent.
 */
export interface ServerOptions {
  root: string;
  out: string;
  session: ServeSession;
  allowRemote: boolean;
  /** Link of a problem's place, with `{path}` (absolute), `{line}` and `{column}`. */
  editorLink: string;
}

/** Where the editor opens a problem. */
export const DEFAULT_EDITOR_LINK = 'vscode://file{path}:{line}:{column}';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** `template` filled for the problem's place; `{path}` is absolute with forward slashes and starts with "/" (also `/C:/...`). */
export function editorHref(template: string, root: string, p: Problem): string {
  const path = resolve(root, p.file)
    .split(sep)
    .join('/')
    .replace(/^(?!\/)/, '/');
  return template.replace('{path}', encodeURI(path)).replace('{line}', String(p.line)).replace('{column}', String(p.column));
}

/** What the pages get: the build, and the errors with their places (warnings stay in the terminal). */
export function clientState(state: ServeState, root: string, editorLink: string) {
  return {
    build: state.build,
    held: state.held,
    problems: state.problems
      .filter((p) => p.severity === 'error')
      .map((p) => ({
        location: `${p.file}:${p.line}:${p.column}`,
        href: editorHref(editorLink, root, p),
        severity: p.severity,
        message: p.message,
        ruleId: p.ruleId,
      })),
  };
}

/** The file under `base` a URL path names, or undefined when it would leave `base`. */
export function fileUnder(base: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split('/').includes('..')) return undefined;
  const file = resolve(base, `.${decoded}`);
  return file === base || file.startsWith(base + sep) ? file : undefined;
}

const DOCUMENT_PDF = /^\/(letter|packet)s\/([^/]+)\.pdf$/;

export function createServeServer(options: ServerOptions): { server: Server; publish(state: ServeState): void; closeStreams(): void } {
  const { root, out, session, allowRemote, editorLink } = options;
  /** Open pages' event streams, with the file each page shows (relative to the output folder). */
  const streams = new Map<ServerResponse, string | undefined>();
  const message = (page: string | undefined) =>
    `event: state\ndata: ${JSON.stringify({ ...clientState(session.state, root, editorLink), build: session.versionOf(page) })}\n\n`;
  /** The file under the output folder a URL path shows (a folder: its index.html). */
  const fileOf = (path: string): string | undefined => {
    const folder = /^\/(letters|packets)\//.exec(path)?.[1];
    const base = folder ? join(out, folder) : join(out, SITE_DIR);
    const file = fileUnder(base, folder ? path.slice(folder.length + 1) : path);
    return file;
  };
  const pageOf = (path: string): string | undefined => {
    const file = fileOf(path.endsWith('/') ? `${path}index.html` : path);
    return file && relative(out, file).split(sep).join('/');
  };

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, policy?: string) => {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      ...(policy ? { 'Content-Security-Policy': policy } : {}),
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };
  const sendHtml = (res: ServerResponse, status: number, html: string, file?: string) => {
    const page = servedHtml(html, session.versionOf(file && relative(out, file).split(sep).join('/')));
    send(res, status, TYPES['.html']!, page.html, page.policy);
  };
  const notFound = (res: ServerResponse, path: string) =>
    sendHtml(res, 404, errorPage('Not found', `Nothing at ${path}. The site is at /, letters and packets are listed at ${SERVE_PREFIX}.`));

  const sendFile = async (res: ServerResponse, file: string, urlPath: string) => {
    let target = file;
    try {
      if ((await stat(target)).isDirectory()) target = join(target, 'index.html');
      const bytes = await readFile(target);
      const type = TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
      if (type.startsWith('text/html')) sendHtml(res, 200, bytes.toString('utf8'), target);
      else send(res, 200, type, bytes, type === 'application/pdf' ? undefined : "default-src 'none'");
    } catch {
      notFound(res, urlPath);
    }
  };

  const subscribe = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const pagePath = url.searchParams.get('page');
    const page = pagePath === null ? undefined : pageOf(pagePath);
    res.write(`retry: 1000\n${message(page)}`);
    streams.set(res, page);
    req.on('close', () => streams.delete(res));
  };

  const printPdf = async (res: ServerResponse, kind: DocumentKind, name: string, urlPath: string) => {
    const printed = await session.printDocument(kind, name);
    if ('error' in printed) sendHtml(res, printed.status, errorPage(`No PDF of ${kind} ${name}`, printed.error));
    else await sendFile(res, join(out, printed.path), urlPath);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req.headers.host, allowRemote))
      return send(res, 403, TYPES['.txt']!, 'Forbidden: this server answers only to a loopback host name.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, TYPES['.txt']!, 'Method not allowed\n');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === EVENTS_PATH) return subscribe(req, res, url);
    if (path === CLIENT_PATH) return send(res, 200, TYPES['.js']!, CLIENT_SCRIPT, "default-src 'none'");
    if (path === SERVE_PREFIX || path === SERVE_PREFIX.slice(0, -1))
      return sendHtml(res, 200, documentsPage(session.config, session.state));
    const pdf = DOCUMENT_PDF.exec(path);
    // document names are plain ids (lowercase letters, digits, ".", "_", "-"): no decoding
    if (pdf) return printPdf(res, pdf[1] as DocumentKind, pdf[2]!, path);
    const file = fileOf(path);
    if (!file) return notFound(res, path);
    return sendFile(res, file, path);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, TYPES['.txt']!, `Internal error: ${(error as Error).message}\n`);
      else res.destroy();
    });
  });
  return {
    server,
    publish() {
      for (const [res, page] of streams) res.write(message(page));
    },
    closeStreams() {
      for (const res of streams.keys()) res.end();
      streams.clear();
    },
  };
}
