import { SEARCH_CONTENT_BODY, SEARCH_SOURCE_SQL } from '../search/fields.js';
import { FTS_TOKENIZE } from '../search/terms.js';

/**
 * The knowledge-base database schema, declared once. `docs/schema.md` documents it for people
 * who query it; `SCHEMA_VERSION` is stored as `PRAGMA user_version` and in `meta`, and any change
 * here must bump it (a different version rebuilds the database from scratch).
 */
export const SCHEMA_VERSION = 7;

export const SCHEMA_SQL = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Every incident file seen by the build, valid or not.
CREATE TABLE files (
  file        TEXT PRIMARY KEY,
  digest      TEXT NOT NULL,
  incident_id TEXT,           -- NULL when the file is not a valid incident
  undated     INTEGER NOT NULL DEFAULT 0  -- 1: a valid draft without \`started\` (imported history), kept out of incidents
);

-- What \`postmortem check\` reported at build time (config and incident files).
CREATE TABLE problems (
  file     TEXT NOT NULL,
  line     INTEGER NOT NULL,
  "column" INTEGER NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
  rule_id  TEXT NOT NULL,
  message  TEXT NOT NULL
);

CREATE TABLE incidents (
  id                  TEXT PRIMARY KEY,
  title               TEXT NOT NULL,
  status              TEXT NOT NULL,
  severity            TEXT NOT NULL,
  severity_rank       INTEGER NOT NULL,   -- position in the config's severities, 1 = worst
  started_at          TEXT NOT NULL,      -- ISO 8601 UTC, e.g. 2007-06-04T13:10:00Z
  detected_at         TEXT,
  mitigated_at        TEXT,
  resolved_at         TEXT,
  started_local_date  TEXT NOT NULL,      -- YYYY-MM-DD of started_at in the config's timezone
  started_precision   TEXT NOT NULL,      -- 'minute', or 'day' when \`started\` is a date alone (then started_at is that day's start and no duration is measured)
  source_kind         TEXT,               -- imported records: \`source.kind\` (md-frontmatter, statuspage, csv), else NULL
  source_id           TEXT,               -- and \`source.id\`
  minutes_to_detect   REAL,               -- started to detected; 0 when detection came first
  detected_before_impact_minutes REAL,    -- detected to started when detection came first (proactive), else NULL
  minutes_to_mitigate REAL,               -- to mitigated_at, else to the end of the last outage-level window
  minutes_to_resolve  REAL,               -- to resolved_at, else to the end of the last window that is not data-loss
  impact_minutes      REAL,               -- union of the windows that are not data-loss (implicit window: started to resolved, else mitigated)
  impact_level        TEXT NOT NULL,      -- impact.level: level of the implicit window, default of the others
  impact_summary      TEXT NOT NULL,
  symptoms            TEXT NOT NULL,      -- JSON array of strings
  customers_affected  INTEGER,
  percent_resolved_at_mitigation REAL,
  affected_count      INTEGER,            -- impact.affected (else customers_affected as a count of customers)
  affected_of         TEXT,               -- its unit: customers, requests, devices, ...
  root_cause_category TEXT NOT NULL,      -- the first cause (all of them: root_causes)
  root_cause_summary  TEXT NOT NULL,
  trigger             TEXT,
  provider            TEXT,               -- the first provider (all of them: incident_providers)
  detection_method    TEXT,
  detection_summary   TEXT,
  customer_summary    TEXT,
  extra               TEXT NOT NULL,      -- JSON object: the record's \`extra:\` mapping ({} when none)
  file                TEXT NOT NULL UNIQUE,
  digest              TEXT NOT NULL,
  attribution         TEXT CHECK (attribution IN ('provider', 'us', 'shared', 'third-party')), -- who caused it; NULL: not attributed
  attribution_provider TEXT,              -- the provider it is attributed to (NULL for us, or when not told)
  fixed_by            TEXT CHECK (fixed_by IN ('provider', 'us', 'shared', 'third-party'))
);
-- Covers what \`stats\` reads, so grouping scans this small index instead of the wide rows.
CREATE INDEX incidents_stats ON incidents (
  started_local_date, severity, root_cause_category, provider,
  minutes_to_detect, minutes_to_mitigate, minutes_to_resolve, impact_minutes, id
);
CREATE INDEX incidents_category ON incidents (root_cause_category);

CREATE TABLE services (
  name         TEXT PRIMARY KEY,
  in_catalogue INTEGER NOT NULL       -- 1 when listed in the config's services
);

CREATE TABLE incident_services (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  service     TEXT NOT NULL REFERENCES services (name),
  position    INTEGER NOT NULL,
  PRIMARY KEY (incident_id, service)
) WITHOUT ROWID;
CREATE INDEX incident_services_service ON incident_services (service, incident_id);

CREATE TABLE locations (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,         -- display name from the config (the id when unknown)
  in_config    INTEGER NOT NULL
);

CREATE TABLE incident_locations (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  location_id TEXT NOT NULL REFERENCES locations (id),
  position    INTEGER NOT NULL,
  PRIMARY KEY (incident_id, location_id)
) WITHOUT ROWID;

CREATE TABLE providers (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL                  -- hosting, vendor, upstream, customer or other
);

-- Every provider (third party) an incident names, in the record's order.
CREATE TABLE incident_providers (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  provider    TEXT NOT NULL,
  position    INTEGER NOT NULL,
  PRIMARY KEY (incident_id, provider)
) WITHOUT ROWID;
CREATE INDEX incident_providers_provider ON incident_providers (provider, incident_id);

-- Every root cause; incidents.root_cause_category/summary repeat the first.
CREATE TABLE root_causes (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  position    INTEGER NOT NULL,
  category    TEXT NOT NULL,
  summary     TEXT NOT NULL,
  PRIMARY KEY (incident_id, position)
) WITHOUT ROWID;
CREATE INDEX root_causes_category ON root_causes (category);

-- Impact in stages: one row per window per service. A record without \`impact.windows\` has one
-- implicit window, started to resolved (else mitigated), at impact.level, over all its services.
CREATE TABLE impact_windows (
  incident_id  TEXT NOT NULL REFERENCES incidents (id),
  window_index INTEGER NOT NULL,      -- 1-based position in impact.windows
  service      TEXT NOT NULL,
  level        TEXT NOT NULL CHECK (level IN ('outage', 'partial-outage', 'degraded', 'delayed', 'data-loss')),
  from_at      TEXT NOT NULL,         -- ISO 8601 UTC
  to_at        TEXT,                  -- NULL: still open
  minutes      REAL,                  -- from_at to to_at; NULL when open
  scope_kind   TEXT CHECK (scope_kind IN ('percent', 'count')),
  scope_value  REAL,
  scope_of     TEXT,                  -- unit: customers, requests, devices, network, sites, ...
  public       INTEGER NOT NULL,
  summary      TEXT,
  locations    TEXT NOT NULL,         -- JSON array of location ids
  implicit     INTEGER NOT NULL,      -- 1 for the window derived from started/resolved
  attribution  TEXT CHECK (attribution IN ('provider', 'us', 'shared', 'third-party')), -- its own, else the incident's; NULL: not attributed
  attribution_provider TEXT,          -- provider it is attributed to; only cause 'provider' counts against it (credits)
  fixed_by     TEXT CHECK (fixed_by IN ('provider', 'us', 'shared', 'third-party')),
  PRIMARY KEY (incident_id, window_index, service)
) WITHOUT ROWID;
CREATE INDEX impact_windows_service ON impact_windows (service, level);

-- Per incident, service and level: minutes of the union of that service's closed windows at
-- that level (overlapping windows counted once).
CREATE VIEW service_impact AS
  WITH ordered AS (
    SELECT incident_id, service, level, from_at, to_at,
           max(to_at) OVER (PARTITION BY incident_id, service, level ORDER BY from_at, to_at
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
      FROM impact_windows WHERE to_at IS NOT NULL
  ), islands AS (
    SELECT *, sum(CASE WHEN reach IS NULL OR from_at > reach THEN 1 ELSE 0 END)
                OVER (PARTITION BY incident_id, service, level ORDER BY from_at, to_at ROWS UNBOUNDED PRECEDING) AS island
      FROM ordered
  ), spans AS (
    SELECT incident_id, service, level,
           (CAST(strftime('%s', max(to_at)) AS INTEGER) - CAST(strftime('%s', min(from_at)) AS INTEGER)) / 60.0 AS minutes
      FROM islands GROUP BY incident_id, service, level, island
  )
  SELECT incident_id, service, level, sum(minutes) AS minutes FROM spans GROUP BY incident_id, service, level;

CREATE TABLE links (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  position    INTEGER NOT NULL,
  title       TEXT NOT NULL,
  url         TEXT NOT NULL,
  audience    TEXT NOT NULL CHECK (audience IN ('internal', 'customer')),
  PRIMARY KEY (incident_id, position)
) WITHOUT ROWID;

-- What customers were given (service credits and the like).
CREATE TABLE credits (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  position    INTEGER NOT NULL,
  summary     TEXT NOT NULL,
  audience    TEXT NOT NULL CHECK (audience IN ('internal', 'customer')),
  PRIMARY KEY (incident_id, position)
) WITHOUT ROWID;

CREATE TABLE owners (
  id     TEXT PRIMARY KEY,
  name   TEXT NOT NULL,
  title  TEXT,
  team   TEXT,
  email  TEXT,
  public INTEGER NOT NULL
);

CREATE TABLE incident_people (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  role        TEXT NOT NULL CHECK (role IN ('commander', 'author', 'reviewer')),
  person      TEXT NOT NULL,          -- owner id (see owners) as written in the incident
  position    INTEGER NOT NULL,
  PRIMARY KEY (incident_id, role, position)
) WITHOUT ROWID;

CREATE TABLE timeline_events (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  position    INTEGER NOT NULL,       -- order in the merged, sorted timeline
  at          TEXT NOT NULL,          -- ISO 8601 UTC
  kind        TEXT NOT NULL,
  event       TEXT NOT NULL,
  public      INTEGER NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('front-matter', 'body')),
  line        INTEGER NOT NULL,
  precision   TEXT NOT NULL CHECK (precision IN ('minute', 'day')),  -- day: \`at\` is the start of that day
  approximate INTEGER NOT NULL,       -- 1: the time is approximate ("around 6:00 AM")
  PRIMARY KEY (incident_id, position)
) WITHOUT ROWID;

CREATE TABLE remediations (
  incident_id    TEXT NOT NULL REFERENCES incidents (id),
  remediation_id TEXT NOT NULL,
  position       INTEGER NOT NULL,
  action         TEXT NOT NULL,
  type           TEXT NOT NULL,
  owner          TEXT NOT NULL,
  due            TEXT,                -- YYYY-MM-DD
  completed      TEXT,                -- YYYY-MM-DD, the record's own completion date
  status         TEXT NOT NULL,
  ticket         TEXT,
  public         INTEGER NOT NULL,
  PRIMARY KEY (incident_id, remediation_id)
) WITHOUT ROWID;
CREATE INDEX remediations_owner ON remediations (owner);

CREATE TABLE contributing_factors (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  position    INTEGER NOT NULL,
  category    TEXT NOT NULL,
  summary     TEXT NOT NULL,
  PRIMARY KEY (incident_id, position)
) WITHOUT ROWID;

CREATE TABLE tags (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  tag         TEXT NOT NULL,
  PRIMARY KEY (incident_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags (tag);

-- Both directions of every \`related\` link; declared_by is the incident whose front-matter lists it.
CREATE TABLE related (
  incident_id TEXT NOT NULL,
  related_id  TEXT NOT NULL,
  declared_by TEXT NOT NULL,
  PRIMARY KEY (incident_id, related_id, declared_by)
) WITHOUT ROWID;
CREATE INDEX related_declared ON related (declared_by);

CREATE TABLE sections (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  position    INTEGER NOT NULL,
  key         TEXT NOT NULL,          -- canonical key (summary, impact, timeline, ...) or a slug
  title       TEXT NOT NULL,
  recognised  INTEGER NOT NULL,
  audience    TEXT NOT NULL CHECK (audience IN ('customer', 'internal')),
  markdown    TEXT NOT NULL
);
CREATE INDEX sections_incident ON sections (incident_id, position);

-- Every change of an incident's status or severity, from the git history of incidents/
-- (first-parent, oldest first). field: status | severity | id (renamed) | file (moved) | removed.
-- incident_id is the incident's current id; recorded_id the id it had in that commit.
CREATE TABLE incident_history (
  position       INTEGER PRIMARY KEY, -- order of the change in the history
  incident_id    TEXT NOT NULL,
  recorded_id    TEXT NOT NULL,
  commit_id      TEXT NOT NULL,
  committed_at   TEXT NOT NULL,       -- ISO 8601 with the committer's offset
  committed_date TEXT NOT NULL,       -- YYYY-MM-DD in the config's timezone
  field          TEXT NOT NULL,
  old_value      TEXT,
  new_value      TEXT
);
CREATE INDEX incident_history_incident ON incident_history (incident_id, position);

-- Every change of a remediation's status, due date, owner or completed field, from git.
-- field: status | due | owner | completed | id (renamed) | removed. Ids are current ids.
CREATE TABLE remediation_history (
  position       INTEGER PRIMARY KEY,
  incident_id    TEXT NOT NULL,
  remediation_id TEXT NOT NULL,
  recorded_id    TEXT NOT NULL,       -- the remediation's id in that commit
  commit_id      TEXT NOT NULL,
  committed_at   TEXT NOT NULL,
  committed_date TEXT NOT NULL,
  field          TEXT NOT NULL,
  old_value      TEXT,
  new_value      TEXT
);
CREATE INDEX remediation_history_remediation ON remediation_history (incident_id, remediation_id, field, position);

-- When each done remediation was completed: its completed field, else the date of the first
-- commit of its current run of "done" in git; completed_from says which ('field' or 'git';
-- NULL when neither is known).
CREATE VIEW remediation_completion AS
  SELECT r.incident_id, r.remediation_id,
         coalesce(r.completed, g.committed_date) AS completed,
         CASE WHEN r.completed IS NOT NULL THEN 'field' WHEN g.committed_date IS NOT NULL THEN 'git' END AS completed_from
    FROM remediations r
    LEFT JOIN (
      SELECT h.incident_id, h.remediation_id, min(h.committed_date) AS committed_date
        FROM remediation_history h
       WHERE h.field = 'status' AND h.new_value = 'done'
         AND h.position > coalesce((SELECT max(x.position) FROM remediation_history x
                                     WHERE x.incident_id = h.incident_id AND x.remediation_id = h.remediation_id
                                       AND x.field = 'status' AND x.old_value = 'done'), 0)
       GROUP BY h.incident_id, h.remediation_id
    ) g ON g.incident_id = r.incident_id AND g.remediation_id = r.remediation_id
   WHERE r.status = 'done';

-- What is searchable (one row per text of an incident; declared in src/search/fields.ts).
CREATE VIEW search_source (field, field_position, incident_id, position, label, audience, body) AS
  ${SEARCH_SOURCE_SQL};

-- The searchable texts as the full-text index saw them, in the order indexed. The body is NULL
-- where the text is read again from its own table (sections): the view search_content has it.
CREATE TABLE search_documents (
  doc_id      INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL,
  field       TEXT NOT NULL,
  position    INTEGER NOT NULL,
  label       TEXT NOT NULL,
  audience    TEXT NOT NULL,
  body        TEXT
);
CREATE INDEX search_documents_incident ON search_documents (incident_id);

-- The full-text index's content: every document with its text.
CREATE VIEW search_content AS
  SELECT d.doc_id, d.incident_id, d.field, d.position, d.label, d.audience, ${SEARCH_CONTENT_BODY} AS body
    FROM search_documents d;

CREATE VIRTUAL TABLE search_fts USING fts5 (
  body,
  content = 'search_content', content_rowid = 'doc_id',
  tokenize = '${FTS_TOKENIZE}'
);
`;

/** Meta keys written by every build. */
export const META = {
  schemaVersion: 'schema_version',
  toolVersion: 'tool_version',
  configDigest: 'config_digest',
  today: 'evaluated_at',
  timezone: 'timezone',
  problemsDigest: 'problems_digest',
  /** `git/<last commit that changed incidents/>` when history was read from git, else why not (`no-git`, `shallow`, `no-commits`). */
  history: 'history',
} as const;
