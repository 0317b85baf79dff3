import { parentPort } from 'node:worker_threads';
import type { Request } from './pool.js';

/**
 * What a thread of the pool (`pool.ts`, started on `worker.ts`) does: answers each request with
 * `{ id, result }` or `{ id, error }`, in the order asked. A stage's modules are loaded on the
 * first request of its kind, so a thread that only parses never loads the site's renderers.
 */
interface Handler {
  handle(body: unknown): { result: unknown; transfer?: ArrayBuffer[] };
}

const loaders: Record<Exclude<Request['kind'], 'code-cache'>, () => Promise<Handler>> = {
  parse: async () => (await import('../db/parse.js')).parseHandler,
  site: async () => (await siteWorker()).siteHandler,
  tasks: async () => (await siteWorker()).tasksHandler,
  shards: async () => (await import('../site/search-terms.js')).shardsHandler,
};
/** The site's handlers, with the rendering code they use (`site/render-kit.ts`) loaded. */
async function siteWorker() {
  const kit = await import('../site/render-kit.js');
  await Promise.all([kit.loadRenderKit(), kit.loadMarkdownKit()]);
  return import('../site/worker.js');
}

/**
 * Answers the requests sent to this thread. `writeCache`, if given, writes the thread's code
 * cache (`worker.ts`), or says it cannot now: after the first request of each kind, and on a
 * `code-cache` request (the pool's, when the process has nothing else to do) if the last
 * attempt could not.
 */
export function answerRequests(writeCache?: () => boolean): void {
  const handlers = new Map<string, Promise<Handler>>();
  /** Requests are answered one after another, whatever their modules' loading. */
  let queue: Promise<void> = Promise.resolve();
  let unwritten = false;
  const write = () => {
    if (writeCache) unwritten = !writeCache();
  };
  parentPort!.on('message', (message: Request & { id: number }) => {
    if (message.kind === 'code-cache') {
      queue = queue.then(() => {
        if (unwritten) write();
        parentPort!.postMessage({ id: message.id, result: null });
      });
      return;
    }
    const first = !handlers.has(message.kind);
    const handler = handlers.get(message.kind) ?? loaders[message.kind]();
    handlers.set(message.kind, handler);
    queue = queue.then(async () => {
      try {
        const { result, transfer } = (await handler).handle(message.body);
        if (first) write();
        parentPort!.postMessage({ id: message.id, result }, transfer ?? []);
      } catch (error) {
        // an expected failure (a knowledge base's template that does not parse, say) stays one
        const { UserError } = await import('../commands/context.js');
        const user = error instanceof UserError ? { user: true, hint: error.hint } : {};
        parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error), ...user });
      }
    });
  });
}
