import Database from 'better-sqlite3';
import { join } from 'node:path';

/** A database in `dir` with only the searchable texts (`search_content`) of incidents a, b and c; its file. */
export function searchDb(dir: string): string {
  const path = join(dir, 'kb.db');
  const db = new Database(path);
  db.exec('CREATE TABLE search_content (doc_id INTEGER PRIMARY KEY, incident_id TEXT, field TEXT, body TEXT)');
  const add = db.prepare('INSERT INTO search_content (incident_id, field, body) VALUES (?, ?, ?)');
  for (const [id, field, body] of [
    ['a', 'title', 'Mail queue stalled — café'],
    ['b', 'title', 'DNS outage 🙂'],
    ['b', 'impact', 'resolvers timed out'],
    ['c', 'title', 'Disk full'],
  ])
    add.run(id, field, body);
  db.close();
  return path;
}
