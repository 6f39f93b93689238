// vigil's library API: everything the CLI does, for other programs to import. Never exits.
export { audit, DEFAULT_MAX_DB_AGE_MS, type AuditOptions, type AuditResult } from './audit.js';
export { buildInventory, type BuildInventoryOptions } from './inventory/build-inventory.js';
export { matchInventory, type MatchResult, type MatchWarning } from './match/match.js';
export { evaluateAffected, type AffectedVerdict } from './match/affected.js';
export { evaluateGate, exceptionCovers, type GateResult, type ExceptionOutcome } from './policy/gate.js';
export { loadPolicy, parsePolicyText, parseAllowlistText, DEFAULT_POLICY, POLICY_FILE_NAME } from './policy/policy-file.js';
export type { GateDecision, Policy, PolicyProblem, ExceptionEntry } from './policy/types.js';
export { buildReport, REPORT_SCHEMA_VERSION, type Report, type ReportFinding } from './report/report.js';
export { renderJson } from './report/json/render-json.js';
export { renderTable } from './report/table/render-table.js';
export { scoreCvss, severityOfRecord } from './advisories/severity.js';
export { OsvRecord } from './advisories/osv.js';
export type { AdvisoryStore, StoreStatus, EcosystemStatus } from './advisories/types.js';
export { ecosystems, lockfileParsers } from './ecosystems/registry.js';
export type { Ecosystem, LockfileParser, VersionScheme, UpgradeClass } from './ecosystems/types.js';
export * from './core/errors.js';
export type * from './core/types.js';
export { fixedClock, systemClock, type Clock } from './core/clock.js';
