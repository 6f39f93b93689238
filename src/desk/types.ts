/**
 * Plain data of the disclosure desk: private vulnerability reports, their lifecycle, the
 * notification list and the audit log. Every instant is an ISO 8601 UTC string (`...Z`) so that
 * SQLite and PostgreSQL store and compare it the same way; every calendar date is `YYYY-MM-DD`.
 */

/** Where a report stands. The allowed moves between them are in `lifecycle.ts`. */
export const REPORT_STATES = [
  'received',
  'acknowledged',
  'triaged',
  'accepted',
  'rejected',
  'fix-in-progress',
  'disclosure-scheduled',
  'pre-notified',
  'disclosed',
] as const;
export type ReportState = (typeof REPORT_STATES)[number];

/** The three-level scheme of the seed policies (High, Moderate, Low). */
export const SEVERITY_LEVELS = ['high', 'moderate', 'low'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

/** Team roles: admins manage users and the notification list, responders move reports, observers read. */
export const ROLES = ['admin', 'responder', 'observer'] as const;
export type Role = (typeof ROLES)[number];

/** Who did something: a team member, the reporter (through the tracking link) or vigil itself. */
export interface Actor {
  /** `team`, `reporter` or `system`. */
  readonly kind: 'team' | 'reporter' | 'system';
  /** A team member's login, `reporter`, or `system`. */
  readonly id: string;
  /** The team member's role; absent for reporters and the system. */
  readonly role?: Role;
}

/** How the reporter wants to be credited in the advisory. */
export interface CreditChoice {
  /** `named`: credit `name`; `anonymous`: credit nobody by name. */
  readonly mode: 'named' | 'anonymous';
  /** The name (or handle, or organisation) to print when `mode` is `named`. */
  readonly name?: string;
}

/** Who reported: basic identity, as the seed policies ask. */
export interface ReporterIdentity {
  readonly name: string;
  readonly email: string;
  readonly organisation?: string;
  readonly credit: CreditChoice;
}

/**
 * What a reporter sends. Everything but the title and the reporter's identity is an embargoed
 * detail: it is shown only to the team, every read of it is logged, and it never appears in a
 * public document before disclosure.
 */
export interface ReportSubmission {
  /** A short title, shown in the inbox. Reporters are told it is seen by the whole team. */
  readonly title: string;
  readonly reporter: ReporterIdentity;
  /** The flaw, in the reporter's words. */
  readonly description: string;
  /** Steps to reproduce: proof-of-concept scripts, requests, logs. */
  readonly stepsToReproduce: string;
  /** What an attacker gains (effects). */
  readonly impact: string;
  /** How the flaw is reached (attack surface, configuration needed). */
  readonly attackSurface: string;
  /** Related projects that may share the flaw. */
  readonly relatedProjects: string;
  /** Versions the reporter tested, free text. */
  readonly affectedVersions: string;
}

/** A CVSS vector with its base score, computed by vigil's CVSS code. */
export interface CvssScore {
  readonly version: '3.1' | '4.0';
  readonly vector: string;
  readonly score: number;
}

/** The team's assessment, recorded when a report is accepted. */
export interface Assessment {
  readonly severity: SeverityLevel;
  readonly cvss: CvssScore;
  /** CWE ids, `CWE-89` form; at least one. */
  readonly cwes: readonly string[];
  /** Release series (names from the configuration, or the main branch) the flaw affects. */
  readonly affectedSeries: readonly string[];
  /** The package the advisory is about; defaults to the project's package. */
  readonly package: { readonly ecosystem: string; readonly name: string };
  /** The first affected version, if known; the advisory's ranges start there (else at 0). */
  readonly introduced?: string;
  /** One-line public summary for the advisory, written by the team. */
  readonly summary: string;
  /** CVE id once assigned. */
  readonly cve?: string;
}

/** A fix for one release series. */
export interface SeriesFix {
  /** Series name (`5.2`) or the main branch name. */
  readonly series: string;
  /** The release that carries the fix (`5.2.3`); absent for the main branch's commit-only fix. */
  readonly fixedIn?: string;
  /** A reference to the patch: commit URL, commit id, or patch file name. */
  readonly patch: string;
}

/** One move of the lifecycle, with who made it, when and why. */
export interface Transition {
  readonly from: ReportState;
  readonly to: ReportState;
  readonly actor: Actor;
  readonly at: string;
  readonly note: string;
  /** Recorded reason for overriding a rule (e.g. pre-notification later than the lead time). */
  readonly override?: string;
}

/** A message between the reporter and the team, kept on the report. */
export interface ReportMessage {
  readonly id: number;
  readonly author: Actor;
  readonly at: string;
  readonly body: string;
}

/** A private vulnerability report with everything recorded on it. */
export interface DeskReport {
  /** Numeric id, assigned by the store. */
  readonly id: number;
  readonly state: ReportState;
  readonly receivedAt: string;
  readonly submission: ReportSubmission;
  readonly assessment?: Assessment;
  /** The detailed reason given when the report was rejected. */
  readonly rejectionReason?: string;
  readonly fixes: readonly SeriesFix[];
  /** The embargo end: when the advisory goes public. */
  readonly disclosureAt?: string;
  readonly transitions: readonly Transition[];
  readonly messages: readonly ReportMessage[];
}

/** What the inbox shows of a report: no embargoed detail. */
export interface ReportSummary {
  readonly id: number;
  readonly state: ReportState;
  readonly title: string;
  readonly receivedAt: string;
  readonly severity?: SeverityLevel;
  readonly disclosureAt?: string;
  /** When the report entered each state it has been in (first time), for the SLA clocks. */
  readonly enteredAt: Readonly<Partial<Record<ReportState, string>>>;
}

/** Groups of the notification list. */
export const NOTIFY_GROUPS = ['distributor', 'package-maintainer', 'other'] as const;
export type NotifyGroup = (typeof NOTIFY_GROUPS)[number];

/** A vetted recipient of private pre-notifications. */
export interface NotifyEntry {
  readonly id: number;
  readonly organisation: string;
  readonly group: NotifyGroup;
  /** A private address of the organisation's security contact; never a public mailing list. */
  readonly contact: string;
  /** OpenPGP key fingerprint or id used to encrypt notifications. */
  readonly keyId?: string;
  readonly approvedBy: string;
  readonly approvedOn: string;
  /** When the entry must be reviewed again (a date). */
  readonly reviewOn: string;
}

/** A request to join the notification list; the team decides within 30 days. */
export interface JoinRequest {
  readonly id: number;
  readonly organisation: string;
  readonly group: NotifyGroup;
  readonly contact: string;
  readonly keyId?: string;
  /** How the organisation meets the list's criteria, in its words. */
  readonly justification: string;
  /** A public page that shows the organisation's role (distribution, package). */
  readonly url: string;
  readonly requestedAt: string;
  readonly decision?: {
    readonly outcome: 'approved' | 'declined';
    readonly reason: string;
    readonly by: string;
    readonly at: string;
  };
}

/** One line of the append-only audit log: every change, and every read of embargoed details. */
export interface AuditEvent {
  readonly id: number;
  readonly at: string;
  readonly actor: Actor;
  /** What happened: `report.create`, `report.transition`, `report.read-embargoed`, ... */
  readonly action: string;
  /** What it happened to: `report:12`, `notify-entry:3`, ... */
  readonly subject: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** A line that is supported on a given date, and why. */
export interface SupportedLine {
  /** The main branch name or a series name. */
  readonly name: string;
  readonly kind: 'main' | 'series';
  readonly lts: boolean;
  readonly endOfSupport?: string;
  /** `development branch`, `one of the two latest release series`, `long-term support until ...`. */
  readonly reason: string;
}

/** One row of a report's backport matrix. */
export interface BackportRow {
  /** Main branch or series name, newest first. */
  readonly series: string;
  readonly kind: 'main' | 'series';
  /**
   * `not-affected`; `affected` (supported, no fix recorded yet); `fixed` (see `fixedIn`);
   * `unsupported`: past end of support (or no longer among the supported series), so no fix is promised.
   */
  readonly status: 'not-affected' | 'affected' | 'fixed' | 'unsupported';
  readonly fixedIn?: string;
  readonly patch?: string;
  /** Whether the series was affected, for unsupported rows (an unsupported series may be affected). */
  readonly affected: boolean;
  /** One sentence for people: "past end of security support on 2025-04-30; no fix is promised". */
  readonly note: string;
}

/** Names of the SLA clocks. */
export type SlaClockName = 'acknowledge' | 'triage' | 'fix' | 'decision';

/** One SLA clock of a report or a join request. */
export interface SlaClock {
  readonly name: SlaClockName;
  readonly startedAt: string;
  readonly dueAt: string;
  /** When the clock stopped (the awaited step happened). */
  readonly doneAt?: string;
  /** `met` / `missed` once done; `pending`, `due-soon` or `overdue` while running. */
  readonly status: 'met' | 'missed' | 'pending' | 'due-soon' | 'overdue';
  /** The configured target, as written (`3 business days`). */
  readonly target: string;
}
