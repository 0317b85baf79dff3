import type { Config } from '../schema/config.js';
import { toIncident, type Incident } from '../model/incident.js';
import { Temporal } from '../model/time.js';
import type { Problem } from '../problems.js';
import { readSourceFast } from '../db/fast-read.js';
import { localDate } from '../db/write.js';
import type { Commit } from './git.js';

/**
 * Walks commits oldest first and records every change of an incident's status and severity
 * and of a remediation's status, due date, owner and completion date, with the commit and its
 * date. Snapshots are keyed by incident id (a file renamed, or deleted and added in one
 * commit, keeps its history); a version that cannot be read or does not match the schema is
 * skipped with a warning (the incident rules, which judge today's record, are not run on it).
 */

export const INCIDENT_FIELDS = ['status', 'severity'] as const;
export const REMEDIATION_FIELDS = ['status', 'due', 'owner', 'completed'] as const;

export interface RemediationSnapshot {
  id: string;
  action: string;
  ticket: string | null;
  status: string;
  due: string | null;
  owner: string;
  completed: string | null;
}

export interface IncidentSnapshot {
  id: string;
  status: string;
  severity: string;
  remediations: RemediationSnapshot[];
}

/**
 * One recorded change. `field` is a tracked field, or `id` (renamed: old id → new id),
 * `removed` (the incident or remediation left the record) or `file` (the incident's file moved).
 * `remediation` is null for incident rows. Ids are as recorded in that commit.
 */
export interface HistoryRow {
  position: number;
  commit: string;
  committedAt: string;
  /** The commit date in the config's time zone, YYYY-MM-DD. */
  committedDate: string;
  incident: string;
  remediation: string | null;
  field: string;
  old: string | null;
  new: string | null;
}

export interface WalkState {
  snapshots: Record<string, IncidentSnapshot>;
  /** path → incident id of its last valid version. */
  paths: Record<string, string>;
  position: number;
}

export const emptyWalkState = (): WalkState => ({ snapshots: {}, paths: {}, position: 0 });

export function snapshotOf(incident: Incident): IncidentSnapshot {
  return {
    id: incident.id,
    status: incident.status,
    severity: incident.severity,
    remediations: incident.remediations.map((r) => ({
      id: r.id,
      action: r.action,
      ticket: r.ticket ?? null,
      status: r.status,
      due: r.due ?? null,
      owner: r.owner,
      completed: r.completed ?? null,
    })),
  };
}

/** Pairs removed and added remediation ids that are the same remediation renamed: same action text, else same ticket. */
function renamedRemediations(before: RemediationSnapshot[], after: RemediationSnapshot[]): Map<string, string> {
  const afterIds = new Set(after.map((r) => r.id));
  const beforeIds = new Set(before.map((r) => r.id));
  const gone = before.filter((r) => !afterIds.has(r.id));
  const added = after.filter((r) => !beforeIds.has(r.id));
  const renames = new Map<string, string>();
  for (const match of [
    (a: RemediationSnapshot, b: RemediationSnapshot) => a.action === b.action,
    (a: RemediationSnapshot, b: RemediationSnapshot) => a.ticket !== null && a.ticket === b.ticket,
  ]) {
    for (const old of gone) {
      if (renames.has(old.id)) continue;
      const taken = new Set(renames.values());
      const candidate = added.find((n) => !taken.has(n.id) && match(old, n));
      if (candidate) renames.set(old.id, candidate.id);
    }
  }
  return renames;
}

type Emit = (incident: string, remediation: string | null, field: string, old: string | null, value: string | null) => void;

function diffRemediation(emit: Emit, incident: string, before: RemediationSnapshot | undefined, after: RemediationSnapshot): void {
  for (const field of REMEDIATION_FIELDS) {
    const old = before ? before[field] : null;
    if (old !== after[field] && !(before === undefined && after[field] === null)) emit(incident, after.id, field, old, after[field]);
  }
}

/** The rows for one incident going from `before` (undefined: new) to `after`. */
export function diffIncident(emit: Emit, before: IncidentSnapshot | undefined, after: IncidentSnapshot): void {
  const id = after.id;
  if (before && before.id !== id) emit(id, null, 'id', before.id, id);
  for (const field of INCIDENT_FIELDS) {
    const old = before ? before[field] : null;
    if (old !== after[field]) emit(id, null, field, old, after[field]);
  }
  const previous = before?.remediations ?? [];
  const renames = renamedRemediations(previous, after.remediations);
  const byId = new Map(previous.map((r) => [renames.get(r.id) ?? r.id, r]));
  for (const [old, now] of renames) emit(id, now, 'id', old, now);
  for (const r of after.remediations) diffRemediation(emit, id, byId.get(r.id), r);
  const kept = new Set(after.remediations.map((r) => r.id));
  for (const [rid] of byId) if (!kept.has(rid)) emit(id, rid, 'removed', null, null);
}

export interface WalkInput {
  config: Config;
  /** Reads the versions a commit changed: `path` → bytes (undefined when missing). */
  read(requests: { commit: string; path: string }[]): (Uint8Array | undefined)[];
}

export interface WalkOutput {
  rows: HistoryRow[];
  problems: Problem[];
}

/** Applies commits (oldest first) to `state`, returning the rows and the warnings for versions that were skipped. */
export function walkCommits(state: WalkState, commits: readonly Commit[], input: WalkInput): WalkOutput {
  const { config } = input;
  const rows: HistoryRow[] = [];
  const problems: Problem[] = [];
  for (const commit of commits) {
    const instant = Temporal.Instant.from(commit.committedAt);
    const committedDate = localDate(instant, config.timezone);
    const emit: Emit = (incident, remediation, field, old, value) => {
      rows.push({
        position: ++state.position,
        commit: commit.id,
        committedAt: commit.committedAt,
        committedDate,
        incident,
        remediation,
        field,
        old,
        new: value,
      });
    };
    const wanted = commit.changes.filter((c) => c.kind !== 'D' && c.path.toLowerCase().endsWith('.md'));
    const blobs = input.read(wanted.map((c) => ({ commit: commit.id, path: c.path })));
    const removedIds = new Set<string>();
    for (const change of commit.changes) {
      if (change.kind === 'D' || change.kind === 'R') {
        const path = change.kind === 'D' ? change.path : change.from!;
        const id = state.paths[path];
        delete state.paths[path];
        if (id !== undefined) removedIds.add(id);
        if (change.kind === 'R' && id !== undefined) state.paths[change.path] = id; // kept even if the new version is invalid
      }
    }
    wanted.forEach((change, i) => {
      const bytes = blobs[i];
      if (!bytes) return;
      const source = readSourceFast(change.path, bytes, { maxBytes: config.validation.max_file_kb * 1024 });
      // The schema and the typed step only (not every rule): what the history needs from a version.
      const typed = toIncident(source, config);
      const first = [...source.problems, ...typed.problems].find((p) => p.severity === 'error');
      if (!typed.incident || first) {
        problems.push({
          file: change.path,
          line: first?.line ?? 1,
          column: first?.column ?? 1,
          severity: 'warning',
          ruleId: 'history',
          message: `version of commit ${commit.id.slice(0, 7)} (${committedDate}) left out of the history: ${first?.message ?? 'not a valid incident'}`,
        });
        return;
      }
      const after = snapshotOf(typed.incident);
      const previousId = state.paths[change.path];
      const before = state.snapshots[previousId ?? after.id] ?? state.snapshots[after.id];
      diffIncident(emit, before, after);
      if (previousId !== undefined && previousId !== after.id) delete state.snapshots[previousId];
      if (change.kind === 'R') emit(after.id, null, 'file', change.from!, change.path);
      state.snapshots[after.id] = after;
      state.paths[change.path] = after.id;
      removedIds.delete(after.id);
    });
    const mapped = new Set(Object.values(state.paths));
    for (const id of [...removedIds].sort()) {
      if (mapped.has(id) || !state.snapshots[id]) continue;
      emit(id, null, 'removed', null, null);
      delete state.snapshots[id];
    }
  }
  return { rows, problems };
}

/**
 * The rows with every id replaced by the one it was last renamed to, so a remediation's
 * history reads under its current name. `recorded` keeps the id as written then.
 */
export function currentIds(rows: readonly HistoryRow[]): (HistoryRow & { recordedIncident: string; recordedRemediation: string | null })[] {
  const incidentTo = new Map<string, string>();
  const remediationTo = new Map<string, string>();
  const out: (HistoryRow & { recordedIncident: string; recordedRemediation: string | null })[] = [];
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.field === 'id' && row.remediation === null) incidentTo.set(row.old!, incidentTo.get(row.new!) ?? row.new!);
    const incident = incidentTo.get(row.incident) ?? row.incident;
    if (row.field === 'id' && row.remediation !== null) {
      remediationTo.set(`${incident}\0${row.old}`, remediationTo.get(`${incident}\0${row.new}`) ?? row.new!);
    }
    const remediation = row.remediation === null ? null : (remediationTo.get(`${incident}\0${row.remediation}`) ?? row.remediation);
    out.push({ ...row, incident, remediation, recordedIncident: row.incident, recordedRemediation: row.remediation });
  }
  return out.reverse();
}
