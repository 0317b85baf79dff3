import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './rows.js';
import { readSearchDocuments, shardScriptFromDocuments } from './search.js';

/** Worker side of `shardsInBackground`: indexes the shards it is given and posts their scripts. */
const { db: dbPath, shards } = workerData as { db: string; shards: string[][] };
const db = openDatabase(dbPath);
try {
  parentPort!.postMessage(shards.map((ids) => shardScriptFromDocuments(readSearchDocuments(db, ids))));
} finally {
  db.close();
}
