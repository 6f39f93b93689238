import type { EcosystemId } from '../core/types.js';

/** States of a (ref, alias group) finding. */
export const FINDING_STATES = ['new', 'acknowledged', 'excepted', 'fixed', 'withdrawn'] as const;
export type FindingState = (typeof FINDING_STATES)[number];

/** States in which a finding still applies to the ref (counted, notified, overdue). */
export const OPEN_STATES: readonly FindingState[] = ['new', 'acknowledged', 'excepted'];

export function isFindingState(value: string): value is FindingState {
  return (FINDING_STATES as readonly string[]).includes(value);
}

/** One package instance a finding was found in. */
export interface FindingPackage {
  readonly ecosystem: EcosystemId;
  readonly name: string;
  /** The name advisories list it under (see `PackagesTable.match_name`). */
  readonly matchName: string;
  readonly version: string;
  readonly file: string;
}

/** A finding of a ref, as the queries return it. */
export interface MonitorFinding {
  readonly id: number;
  readonly project: string;
  readonly ref: string;
  /** The group's primary id. */
  readonly advisory: string;
  /** Every id of the group (primary included), sorted. */
  readonly ids: readonly string[];
  readonly state: FindingState;
  readonly severity: string;
  readonly summary: string;
  readonly packages: readonly FindingPackage[];
  readonly fixed: readonly string[];
  readonly firstSeen: string;
  readonly due: string | undefined;
  readonly closedAt: string | undefined;
}

/** What one write of a ref's findings changed. */
export interface FindingChanges {
  /** (ref, alias group) findings seen for the first time. */
  readonly created: number;
  /** Findings fixed or withdrawn again that came back. */
  readonly reopened: number;
  /** Findings closed as fixed (a push no longer has them). */
  readonly fixed: number;
  /** Findings closed as withdrawn (their advisory was withdrawn or no longer applies). */
  readonly withdrawn: number;
  /** Open findings whose state, severity, packages or due date changed. */
  readonly updated: number;
  /** Outbox rows written. */
  readonly outbox: number;
}

export const NO_CHANGES: FindingChanges = { created: 0, reopened: 0, fixed: 0, withdrawn: 0, updated: 0, outbox: 0 };

export function addChanges(a: FindingChanges, b: FindingChanges): FindingChanges {
  return {
    created: a.created + b.created,
    reopened: a.reopened + b.reopened,
    fixed: a.fixed + b.fixed,
    withdrawn: a.withdrawn + b.withdrawn,
    updated: a.updated + b.updated,
    outbox: a.outbox + b.outbox,
  };
}

/** Names of projects and refs: bounded and printable, so they are safe in logs, URLs and mails. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/+@-]{0,199}$/;

export function isValidMonitorName(value: string): boolean {
  return NAME_PATTERN.test(value) && !value.includes('..');
}
