import type { Generated } from 'kysely';

// Rows of the monitor tables as Kysely sees them, the same on SQLite and PostgreSQL (as the
// desk's): instants are ISO 8601 UTC text, structured values JSON text, enumerations text
// checked when read back.

/** `monitor_projects`: one monitored project. */
export interface ProjectsTable {
  id: Generated<number>;
  /** Unique; what `--project` names. */
  name: string;
  created_at: string;
}

/** `monitor_refs`: one tracked ref (branch, release line, tag) of a project; unique per (project, name). */
export interface RefsTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  /** The ref's `vigil.yaml` as pushed (exceptions included); null: the default policy. */
  policy_text: string | null;
  /** The inventory's skipped entries (JSON array of `SkippedEntry`), weighed by the gate. */
  skipped: string;
  /** The inventory's sources (JSON array of `SourceFile`). */
  sources: string;
  /** Packages of the last push. */
  packages: number;
  created_at: string;
  pushed_at: string;
}

/** `monitor_packages`: the inventory of a ref, one row per locked package; the index rematching uses. */
export interface PackagesTable {
  ref_id: number;
  ecosystem: string;
  name: string;
  /** The name normalised by its ecosystem (`normalizeName`): what "refs with this package" looks up. */
  normalized_name: string;
  /**
   * The name advisories list it under (`advisoryTargetOf`: the source package of a distribution
   * package); empty for a package no advisory is matched on (another vendor's deb).
   */
  match_name: string;
  version: string;
  purl: string;
  file: string;
  line: number | null;
  /** The whole `Package` as JSON, for matching again without the lockfile. */
  package: string;
}

/** `monitor_findings`: one (ref, alias group), whatever its state; never deleted (the ref's history). */
export interface FindingsTable {
  id: Generated<number>;
  ref_id: number;
  /** The group's primary id (`Finding.id`); may change when a new record joins the group. */
  advisory_id: string;
  /** Every id of the group, the primary included (JSON array, sorted). */
  ids: string;
  /** `new`, `acknowledged`, `excepted`, `fixed` or `withdrawn`. */
  state: string;
  /** The highest level the ref's policy judged the group's findings at. */
  severity: string;
  summary: string;
  /** The package instances it was found in (JSON array of `FindingPackage`). */
  packages: string;
  /** Fixed versions over the instances (JSON array). */
  fixed: string;
  first_seen: string;
  /** When the ref's policy says it must be fixed (earliest over the instances); null when none. */
  due_at: string | null;
  updated_at: string;
  /** When it was last fixed or withdrawn; null while open. */
  closed_at: string | null;
}

/** `monitor_finding_ids`: every id of every finding, for alias look-ups; unique per (ref, id). */
export interface FindingIdsTable {
  ref_id: number;
  advisory_id: string;
  finding_id: number;
}

/** `monitor_unevaluable`: advisories the matcher could not decide for a ref's package (they fail the ref). */
export interface UnevaluableTable {
  ref_id: number;
  /** `packageKey` of the package, so a partial rematch replaces exactly its own rows. */
  package_key: string;
  advisory_id: string;
  package: string;
  file: string;
  reason: string;
}

/** `monitor_events`: what happened to a ref (pushes, finding state changes), oldest first. */
export interface EventsTable {
  id: Generated<number>;
  ref_id: number;
  finding_id: number | null;
  at: string;
  /** `push`, `state`. */
  kind: string;
  from_state: string | null;
  to_state: string | null;
  /** JSON object. */
  detail: string;
  /** Who: `token:<name>`, `user:<login>`, `cli`, or `system` (the re-matcher). */
  actor: Generated<string>;
}

/** `monitor_outbox`: one row per new (ref, alias group), for the notification worker. */
export interface OutboxTable {
  id: Generated<number>;
  finding_id: number;
  ref_id: number;
  project: string;
  ref: string;
  advisory_id: string;
  /** JSON array of the group's other ids. */
  aliases: string;
  severity: string;
  package: string;
  version: string;
  /** JSON array. */
  fixed: string;
  created_at: string;
  delivered_at: string | null;
}

/** `monitor_ledger`: the advisory store's records as last matched, to tell which changed since. */
export interface LedgerTable {
  record_id: string;
  modified: string;
  /** 1 when the record was withdrawn (its time come) when last matched. */
  withdrawn: number;
}

/** Every monitor table, for `Kysely<MonitorDatabase>`. */
export interface MonitorDatabase {
  monitor_projects: ProjectsTable;
  monitor_refs: RefsTable;
  monitor_packages: PackagesTable;
  monitor_findings: FindingsTable;
  monitor_finding_ids: FindingIdsTable;
  monitor_unevaluable: UnevaluableTable;
  monitor_events: EventsTable;
  monitor_outbox: OutboxTable;
  monitor_ledger: LedgerTable;
}
