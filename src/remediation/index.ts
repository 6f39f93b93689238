// Remediation planning: fix targets, maintenance rules, end of support, the plan.
export { checkEndOfSupport, isInSeries, type EndOfSupportNote } from './end-of-support.js';
export { buildExceptionTemplate, EXCEPTION_PLACEHOLDERS, type ExceptionTemplate } from './exception-template.js';
export {
  chooseFixTarget,
  chooseFixWithin,
  collectFixedVersions,
  findAffectingAdvisories,
  findFixTarget,
  type AffectingAdvisories,
  type ConsideredOutcome,
  type ConsideredVersion,
  type FindFixTargetOptions,
  type FixBasis,
  type FixTarget,
  type FixTargetPackage,
  type FixTargetQuery,
  type FixUpgrade,
  type FixWithin,
} from './fix-target.js';
export {
  classifyDependencyKind,
  decideMaintenance,
  findUpgradeRule,
  isFramework,
  isUpgradeAllowed,
  type HeldAlternative,
  type MaintenanceDecision,
  type MaintenanceInput,
  type UpgradeRule,
} from './maintenance.js';
export {
  createNpmRegistry,
  DEFAULT_NPM_REGISTRY,
  packumentUrl,
  type NpmRegistry,
  type NpmRegistryOptions,
  type RegistryProblem,
} from './npm-registry.js';
export { suggestOverride, type OverrideKind, type OverrideSuggestion } from './override-suggestion.js';
export {
  evaluateParentBumps,
  evaluateParentPath,
  parentBumpsToApply,
  parsePathStep,
  type NpmMetadataSource,
  type PackageVersion,
  type ParentBlocker,
  type ParentBumpQuery,
  type ParentBumps,
  type ParentBumpTarget,
  type ParentPathPlan,
} from './parent-bump.js';
export { planRemediation, type PlanOptions, type Remediation, type RemediationPlan } from './plan.js';
export { isPrerelease } from './prerelease.js';
export type { VersionSource } from './version-source.js';
