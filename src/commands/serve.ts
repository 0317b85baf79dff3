import type { AddressInfo } from 'node:net';
import { checkHost, DEFAULT_HOST, DEFAULT_PORT } from '../serve/address.js';
import { SERVE_PREFIX } from '../serve/inject.js';
import { createServeServer, DEFAULT_EDITOR_LINK } from '../serve/server.js';
import { ServeSession, type ServeState } from '../serve/session.js';
import { KnowledgeBaseWatcher, watchTargets } from '../serve/watch.js';
import { UserError, type CliEnv, type CommandBody, type CommandContext, type CommandResult } from './context.js';

export interface ServeOptions {
  /** Interface to listen on (default 127.0.0.1); anything but loopback needs `allowRemote`. */
  host?: string;
  /** Port (default 4173; 0 for any free port). */
  port?: number;
  allowRemote?: boolean;
  /** Link of a problem's place in the overlay, with `{path}`, `{line}`, `{column}`. */
  editorLink?: string;
}

export interface RunningServe {
  /** `http://host:port/` */
  url: string;
  /** The state of the last build (problems, held or not). */
  state(): ServeState;
  /** Stops watching, lets a running build finish, closes every connection. */
  close(): Promise<void>;
}

function listen(server: import('node:http').Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(new UserError(`port ${port} on ${host} is in use`, 'Pass another --port, or --port 0 for any free one.'));
      else if (error.code === 'EADDRNOTAVAIL') reject(new UserError(`${host} is not an address of this machine`));
      else reject(error);
    });
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

/**
 * Builds the knowledge base, then serves the site and previews of its letters and packets,
 * rebuilding on every save. Resolves once the server listens; `close` stops it.
 */
export async function startServe(ctx: CommandContext, options: ServeOptions = {}): Promise<RunningServe> {
  const host = options.host ?? DEFAULT_HOST;
  checkHost(host, options.allowRemote ?? false);
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${port} is not a port number (0 to 65535)`);
  let publish = (_state: ServeState) => {};
  const session = new ServeSession(ctx, (state) => publish(state));
  const http = createServeServer({
    root: ctx.root,
    out: ctx.out,
    session,
    allowRemote: options.allowRemote ?? false,
    editorLink: options.editorLink ?? DEFAULT_EDITOR_LINK,
  });
  publish = http.publish;
  const watcher = new KnowledgeBaseWatcher(ctx.root, (paths) => {
    session.buildSoon(paths);
    // folders made since, and notes files named since, are watched once the build has read the config
    void session.exclusive(async () => watcher.arm(watchTargets(ctx.root, session.config)));
  });
  watcher.arm(watchTargets(ctx.root, undefined));
  try {
    await session.build([]);
    watcher.arm(watchTargets(ctx.root, session.config));
    const address = await listen(http.server, host, port);
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${shown}:${address.port}/`;
    ctx.stdout.write(
      `\nServing the site at ${url}\nLetters and packets: ${url}${SERVE_PREFIX.slice(1)}\nWatching the config, incidents/, templates/ and notes; press Ctrl+C to stop.\n`,
    );
    return {
      url,
      state: () => session.state,
      async close() {
        watcher.close();
        await session.exclusive(async () => undefined);
        http.closeStreams();
        await new Promise<void>((resolve) => {
          http.server.close(() => resolve());
          http.server.closeAllConnections();
        });
      },
    };
  } catch (error) {
    watcher.close();
    throw error;
  }
}

/** `postmortem serve`: serves until `signal` aborts (SIGINT or SIGTERM from the command). */
export async function runServe(ctx: CommandContext, options: ServeOptions, signal: AbortSignal): Promise<CommandResult> {
  const running = await startServe(ctx, options);
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  await running.close();
  ctx.stdout.write('Stopped.\n');
  return { exitCode: 0 };
}

export const serveCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    y
      .option('port', { type: 'number', default: DEFAULT_PORT, describe: 'Port to listen on (0: any free port)' })
      .option('host', { type: 'string', default: DEFAULT_HOST, describe: 'Address to listen on; loopback only unless --allow-remote' })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow a --host other machines can reach' })
      .option('editor-link', {
        type: 'string',
        default: DEFAULT_EDITOR_LINK,
        describe: 'Link of a problem in the page overlay ({path}, {line}, {column})',
      }),
  handler: async (argv) => {
    const stop = new AbortController();
    const abort = () => stop.abort();
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
    try {
      env.finish(
        await runServe(
          env.context(argv),
          {
            port: argv.port as number,
            host: argv.host as string,
            allowRemote: argv['allow-remote'] as boolean,
            editorLink: argv['editor-link'] as string,
          },
          stop.signal,
        ),
      );
    } finally {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    }
  },
});
