import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../schema/config.js';
import { processOne } from './parse.js';

/** Worker side of `processFiles`: reads and checks the files it is sent and posts the plain-data results back. */
const job = workerData as { root: string; config: Config; today: string };
parentPort!.on('message', (message: { start: number; files: string[] }) => {
  const results = message.files.map((file) => processOne(job, file));
  parentPort!.postMessage({ start: message.start, results });
});
