// The disclosure desk's library API, re-exported by the package's main module.
export { Desk, hashTrackingToken, type DeskOptions, type InboxItem, type JoinRequestItem, type ReporterView } from './desk.js';
export { loadDeskConfig, parseDeskConfigText, DESK_CONFIG_FILE } from './config/load-desk-config.js';
export { parseSlaDuration, type DeskConfig, type BusinessCalendar, type ReleaseSeries, type SlaDuration } from './config/desk-config.js';
export { starterDeskConfig } from './config/starter-desk-config.js';
export { planTransition, checkFix, suggestSeverity, TRANSITIONS, type LifecycleAction, type AssessmentInput } from './lifecycle.js';
export { addSlaDuration, isBusinessDay } from './sla/business-time.js';
export { reportClocks, joinRequestClock, sortByUrgency } from './sla/sla-clocks.js';
export { supportedLines, backportMatrix } from './supported-versions.js';
export { renderDeskDocument, DESK_DOCUMENT_KINDS, type DeskDocumentKind } from './documents/render-document.js';
export { buildOsvAdvisory, advisoryIdFor, type OsvAdvisory } from './documents/osv-advisory.js';
export { isPublicList } from './notify-list.js';
export { checkSubmission, ReportSubmissionSchema } from './submission.js';
export { openDeskStore, type OpenDeskStoreOptions } from './store/open-desk-store.js';
export type { DeskStore } from './store/desk-store.js';
export { createDeskMailer, type DeskMailer, type DeskMailerOptions } from './mail/mailer.js';
export {
  REPORT_STATES,
  ROLES,
  NOTIFY_GROUPS,
  SEVERITY_LEVELS as DESK_SEVERITY_LEVELS,
  type SeverityLevel as DeskSeverityLevel,
  type ReportState,
  type Role,
  type Actor,
  type CreditChoice,
  type ReporterIdentity,
  type ReportSubmission,
  type CvssScore as DeskCvssScore,
  type Assessment,
  type SeriesFix,
  type Transition,
  type ReportMessage,
  type DeskReport,
  type ReportSummary,
  type NotifyGroup,
  type NotifyEntry,
  type JoinRequest,
  type AuditEvent,
  type SupportedLine,
  type BackportRow,
  type SlaClockName,
  type SlaClock,
} from './types.js';
