// The portfolio monitor's library API: tracked refs, their inventories and findings, kept up to
// date incrementally as the advisory store changes. The web API, console and notification
// worker build on this.
export { openMonitorStore, MONITOR_APPLICATION_ID, type MonitorDb, type OpenMonitorStoreOptions } from './store/open-monitor-store.js';
export { MONITOR_MIGRATIONS } from './store/migrations.js';
export type { MonitorDatabase, OutboxTable } from './store/monitor-database.js';
export { pushRef, type PushInput, type PushOptions, type PushOutcome } from './push.js';
export { rematch, type RematchOptions, type RematchOutcome } from './rematch.js';
export {
  acknowledgeFinding,
  portfolioOverview,
  refFindings,
  refHistory,
  refsAffectedBy,
  refsWithPackage,
  type RefEvent,
  type RefOverview,
  type RefWithPackage,
} from './queries.js';
export { FINDING_STATES, OPEN_STATES, type FindingChanges, type FindingPackage, type FindingState, type MonitorFinding } from './types.js';
