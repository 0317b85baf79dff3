import type Database from 'better-sqlite3';
import type { History } from './history.js';
import { currentIds } from './walk.js';

/** Rewrites `incident_history` and `remediation_history` from the history (ids as they are now). */
export function writeHistoryRows(db: Database.Database, history: History): void {
  db.exec('DELETE FROM incident_history; DELETE FROM remediation_history;');
  const incident = db.prepare('INSERT INTO incident_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const remediation = db.prepare('INSERT INTO remediation_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const r of currentIds(history.rows())) {
    if (r.remediation === null) {
      incident.run(r.position, r.incident, r.recordedIncident, r.commit, r.committedAt, r.committedDate, r.field, r.old, r.new);
    } else {
      remediation.run(
        r.position,
        r.incident,
        r.remediation,
        r.recordedRemediation,
        r.commit,
        r.committedAt,
        r.committedDate,
        r.field,
        r.old,
        r.new,
      );
    }
  }
}
