import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../schema/config.js';
import { readOne } from './parse.js';

/** Worker side of `parseFiles`: reads the files it is sent and posts the plain-data results back. */
const { root, config } = workerData as { root: string; config: Config };
parentPort!.on('message', (message: { start: number; files: string[] }) => {
  const sources = message.files.map((file) => readOne(root, file, config));
  parentPort!.postMessage({ start: message.start, sources });
});
