import { parentPort } from 'node:worker_threads';
import { runTask, type SiteTask } from './parallel.js';

/** Worker side of `runTasks`: runs the tasks it is sent and posts the strings back. */
parentPort!.on('message', (message: { start: number; tasks: SiteTask[] }) => {
  parentPort!.postMessage({ start: message.start, results: message.tasks.map(runTask) });
});
