// Layout of the SQLite advisory store. A store is recognised by its `application_id`
// (https://www.sqlite.org/pragma.html#pragma_application_id) and versioned by `user_version`;
// a store written by a newer vigil (higher `user_version`) is refused, not guessed at.

/** `VGIL` in ASCII: marks a SQLite file as a vigil advisory store. */
export const STORE_APPLICATION_ID = 0x5647494c;

/** Bumped on every incompatible change of the tables below. */
export const STORE_SCHEMA_VERSION = 5;

/** How to get a usable store, shown under every store error. */
export const STORE_HINT = 'run "vigil db update" or "vigil db import PATH"';

/** How to replace a store written by an older vigil: it is never rewritten in place. */
export const OLD_STORE_HINT = `remove the file and re-import: ${STORE_HINT} (the new store records the date of its data)`;

// Version 5 (issue 15): record bodies apart from the small per-record row (counting and
// comparing timestamps no longer reads every body page), CVSS scores computed at import, when
// each ecosystem was last checked against its mirror, and the mirror's change list position.
// Secondary indices are created after the tables are first filled (`STORE_INDEX_DDL`).
export const STORE_DDL = `
CREATE TABLE records (
  id        TEXT PRIMARY KEY,
  -- RFC 3339 timestamps normalised to ISO 8601 UTC with milliseconds, so they sort as text.
  modified  TEXT NOT NULL,
  published TEXT,
  withdrawn TEXT
) WITHOUT ROWID;

-- The validated OSV record as JSON, parsed only when a query hits it. A rowid table: bodies of
-- several KiB are appended, not inserted into the middle of a key-ordered tree.
CREATE TABLE bodies (
  id   TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL
);

-- One row per distinct affected[].package of a record.
CREATE TABLE affected (
  -- The ecosystem before any ':' suffix ('Debian' for 'Debian:11'), what queries use.
  ecosystem      TEXT NOT NULL,
  -- The ecosystem string as the record writes it.
  ecosystem_full TEXT NOT NULL,
  -- Normalised with the ecosystem's normalizeName for PyPI and npm, as written otherwise.
  name           TEXT NOT NULL,
  record_id      TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, ecosystem_full, record_id)
) WITHOUT ROWID;

CREATE TABLE aliases (
  record_id TEXT NOT NULL,
  alias     TEXT NOT NULL,
  PRIMARY KEY (record_id, alias)
) WITHOUT ROWID;

-- The base score of every CVSS vector the records carry, computed when they were written, so an
-- audit does not load the calculator. \`score\` is the JSON of a CvssScore, or null for a vector
-- that has none (malformed).
CREATE TABLE cvss_scores (
  vector TEXT PRIMARY KEY,
  score  TEXT
) WITHOUT ROWID;

-- Counts written with every change (in the same transaction), so reading the status costs the
-- same for a full OSV dump as for a small store: every audit reads it.
CREATE TABLE ecosystem_counts (
  ecosystem TEXT PRIMARY KEY,
  records   INTEGER NOT NULL,
  -- Newest \`modified\` of the ecosystem's records (withdrawn ones included): how old the data
  -- itself is, whenever it was imported. The OSV dumps and record folders carry no date of
  -- their own, so this is the data's date.
  newest    TEXT
) WITHOUT ROWID;
CREATE TABLE store_totals (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  records   INTEGER NOT NULL,
  withdrawn INTEGER NOT NULL,
  newest    TEXT
);

-- When this store first held each record id: the SLA clock starts here for a record without a
-- publication date. Never deleted, so a record dropped and re-downloaded keeps its first day.
CREATE TABLE first_seen (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL
) WITHOUT ROWID;

-- When and from where each ecosystem (base ecosystem, as in affected.ecosystem) was last
-- imported or downloaded: shown, but not the data's age (a 2024 snapshot imported today is old).
CREATE TABLE ecosystem_meta (
  ecosystem  TEXT PRIMARY KEY,
  updated_at TEXT NOT NULL,
  source     TEXT NOT NULL,
  -- Last time a mirror was asked for changes, whether or not it had any.
  checked_at TEXT,
  -- The mirror's validator (ETag) of the change list last read, for a conditional request.
  list_etag  TEXT,
  -- Newest modified time of the change list last read: rows newer than it are the next changes.
  list_newest TEXT
) WITHOUT ROWID;
`;

/** Indices needed once the tables are filled: created after a new store's first bulk load. */
export const STORE_INDEX_DDL = `
CREATE INDEX IF NOT EXISTS affected_by_record ON affected (record_id);
CREATE INDEX IF NOT EXISTS aliases_by_alias ON aliases (alias);
`;
