import { parseDuration } from '../core/duration.js';
import { ConfigError, lineColumnAt } from '../core/errors.js';
import { tooDeepMessage } from '../core/input-limits.js';
import { findDeepJsonNesting, locateJsonError, scanJson } from '../core/json-scan.js';
import type { SourceLocation } from '../core/types.js';
import { describeYamlIssue, firstIssue, issueText, knownKeysAt, nodeAt, parseYamlConfigDocument } from '../core/yaml-config.js';
import { AllowlistFileSchema, ExceptionEntrySchema, PolicyFileSchema, type ExceptionEntryFields, type PolicyFile } from './policy-schema.js';
import { DEFAULT_POLICY } from './default-policy.js';
import { UPGRADE_LIMITS, type ExceptionEntry, type MaintenancePolicy, type Policy, type PolicyLevel, type PolicyProblem, type SlaTarget } from './types.js';

export { DEFAULT_POLICY };

/** Parses the text of a vigil.yaml shown as `file` in messages. */
export function parsePolicyText(text: string, file: string): Policy {
  const { document, value: raw, locate } = parseYamlConfigDocument(text, file);
  const parsed = PolicyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const { message, offset } = describeYamlIssue(firstIssue(parsed.error.issues), document, knownKeys);
    throw new ConfigError(message, {
      location: locate(offset),
      hint: 'see the policy file reference in the README, or run "vigil policy init" for a commented example',
    });
  }
  const exceptions: ExceptionEntry[] = [];
  const problems: PolicyProblem[] = [];
  (parsed.data.exceptions ?? []).forEach((entry, index) => {
    const result = ExceptionEntrySchema.safeParse(entry);
    const entryOffset = nodeAt(document, ['exceptions', index])?.range?.[0];
    if (result.success) {
      exceptions.push(toExceptionEntry(result.data, locate(entryOffset)));
      return;
    }
    const issue = firstIssue(result.error.issues);
    const { message, offset } = describeYamlIssue({ ...issue, path: ['exceptions', index, ...issue.path] }, document, knownKeys);
    problems.push(invalidEntry(entry, message, locate(offset ?? entryOffset)));
  });
  return toPolicy(parsed.data, file, exceptions, problems);
}

/** Parses an allowlist JSON text (`{"entries": [...]}`) shown as `file` in messages. */
export function parseAllowlistText(text: string, file: string): { exceptions: ExceptionEntry[]; problems: PolicyProblem[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const { offset, message } = locateJsonError(text);
    throw new ConfigError(`invalid JSON: ${message}`, { location: { file, ...lineColumnAt(text, offset) } });
  }
  // JSON.parse takes any depth; the schema and the key scan below recurse.
  const deep = findDeepJsonNesting(text);
  if (deep !== undefined) throw new ConfigError(`arrays and objects ${tooDeepMessage()}`, { location: { file, ...lineColumnAt(text, deep) } });
  const parsed = AllowlistFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError('an allowlist is a JSON object {"entries": [...]} and nothing else', { location: { file, line: 1 } });
  }
  // Line of each entry's first key, and of every key, from one scan of the text.
  const keyLines = new Map<string, number>();
  scanJson(text, (keyPath, line) => {
    keyLines.set(keyPath.join('.'), line);
    return true;
  });
  const entryLine = (index: number): number | undefined =>
    [...keyLines].find(([key]) => key.startsWith(`entries.${index}.`))?.[1] ?? keyLines.get('entries');
  const exceptions: ExceptionEntry[] = [];
  const problems: PolicyProblem[] = [];
  parsed.data.entries.forEach((entry, index) => {
    const location = { file, line: entryLine(index) };
    const result = ExceptionEntrySchema.safeParse(entry);
    if (result.success) exceptions.push(toExceptionEntry(result.data, location));
    else {
      const issue = firstIssue(result.error.issues);
      const key = issue.path.map(String).join('.');
      const line = keyLines.get(`entries.${index}.${key}`) ?? location.line;
      problems.push(invalidEntry(entry, `entries[${index}]: ${issueText(issue)}`, { file, line }));
    }
  });
  return { exceptions, problems };
}

function invalidEntry(entry: unknown, message: string, location: SourceLocation): PolicyProblem {
  const id = typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : undefined;
  return {
    severity: 'error',
    code: 'exception-invalid',
    message: `invalid exception${id ? ` ${id}` : ''}: ${message}`,
    location,
    ...(id === undefined ? {} : { exception: id }),
  };
}

function toExceptionEntry(fields: ExceptionEntryFields, location: SourceLocation): ExceptionEntry {
  return {
    id: fields.id,
    ...(fields.package === undefined ? {} : { package: fields.package }),
    ...(fields.versions === undefined ? {} : { versions: fields.versions }),
    ...(fields.paths === undefined ? {} : { paths: fields.paths.map((text) => text.split('>').map((step) => step.trim())) }),
    reason: fields.reason,
    approvedBy: fields.approved_by,
    issue: fields.issue,
    expiresOn: fields.expires_on,
    ...(fields.approved_on === undefined ? {} : { approvedOn: fields.approved_on }),
    location,
  };
}

function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`unvalidated duration ${text}`);
  return ms;
}

function toPolicy(file: PolicyFile, source: string, exceptions: ExceptionEntry[], problems: PolicyProblem[]): Policy {
  const levels = ['critical', 'high', 'medium', 'low'] as const;
  const maxLifetimeMs: Partial<Record<PolicyLevel, number>> = { ...DEFAULT_POLICY.exceptionRules.maxLifetimeMs };
  const sla: Partial<Record<PolicyLevel, SlaTarget>> = { ...DEFAULT_POLICY.sla };
  for (const level of levels) {
    const lifetime = file.exception_rules?.max_lifetime?.[level];
    if (lifetime !== undefined) maxLifetimeMs[level] = durationMs(lifetime);
    const target = file.sla?.[level];
    if (target !== undefined) {
      sla[level] = target === 'next-release' ? { kind: 'next-release' } : { kind: 'duration', ms: durationMs(target), text: target };
    }
  }
  return {
    source,
    failOn: file.fail_on ?? DEFAULT_POLICY.failOn,
    unknownSeverity: file.unknown_severity ?? DEFAULT_POLICY.unknownSeverity,
    unevaluable: file.unevaluable ?? DEFAULT_POLICY.unevaluable,
    maxDbAgeMs: file.max_db_age === undefined ? DEFAULT_POLICY.maxDbAgeMs : durationMs(file.max_db_age),
    exclude: file.exclude ?? [],
    ignoreScopes: file.ignore_scopes ?? [],
    expiryWarningDays: file.expiry_warning_days ?? DEFAULT_POLICY.expiryWarningDays,
    exceptionRules: { maxLifetimeMs, approvers: file.exception_rules?.approvers ?? [] },
    sla,
    exceptions,
    maintenance: toMaintenance(file.maintenance),
    ...(file.os_packages === undefined
      ? {}
      : {
          osPackages: {
            ...(file.os_packages.unfixed_fail_on === undefined ? {} : { unfixedFailOn: file.os_packages.unfixed_fail_on }),
            ...(file.os_packages.end_of_support === undefined ? {} : { endOfSupport: file.os_packages.end_of_support }),
          },
        }),
    problems,
  };
}

function toMaintenance(file: PolicyFile['maintenance']): MaintenancePolicy {
  const defaults = DEFAULT_POLICY.maintenance;
  if (file === undefined) return defaults;
  const rules = { ...defaults.rules };
  for (const release of UPGRADE_LIMITS) {
    const given = file.rules?.[release];
    if (given) rules[release] = { ...defaults.rules[release], ...given };
  }
  return {
    release: file.release ?? defaults.release,
    branch: file.branch ?? defaults.branch,
    frameworks: file.frameworks ?? defaults.frameworks,
    rules,
    endOfSupport: file.end_of_support ?? {},
  };
}

function knownKeys(keyPath: readonly PropertyKey[]): readonly string[] {
  if (keyPath[0] === 'exceptions') return Object.keys(ExceptionEntrySchema.shape);
  return knownKeysAt(PolicyFileSchema, keyPath);
}
