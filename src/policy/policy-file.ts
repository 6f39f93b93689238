import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { ConfigError, lineColumnAt } from '../core/errors.js';
import { locateJsonError, scanJson } from '../core/json-scan.js';
import type { SourceLocation } from '../core/types.js';
import { AllowlistFileSchema, ExceptionEntrySchema, PolicyFileSchema, type ExceptionEntryFields, type PolicyFile } from './policy-schema.js';
import { DEFAULT_POLICY } from './default-policy.js';
import { UPGRADE_LIMITS, type ExceptionEntry, type MaintenancePolicy, type Policy, type PolicyLevel, type PolicyProblem, type SlaTarget } from './types.js';

export { DEFAULT_POLICY };

/** Parses the text of a vigil.yaml shown as `file` in messages. */
export function parsePolicyText(text: string, file: string): Policy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = (offset: number | undefined): SourceLocation => {
    if (offset === undefined) return { file };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const [yamlError] = document.errors;
  if (yamlError) {
    throw new ConfigError(`invalid YAML: ${yamlError.message.split('\n')[0] ?? ''}`, { location: locate(yamlError.pos[0]) });
  }
  const raw: unknown = document.toJS() ?? {};
  const parsed = PolicyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const { message, offset } = describeIssue(firstIssue(parsed.error.issues), document);
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
    const { message, offset } = describeIssue({ ...issue, path: ['exceptions', index, ...issue.path] }, document);
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
    maxDbAgeMs: file.max_db_age === undefined ? DEFAULT_POLICY.maxDbAgeMs : durationMs(file.max_db_age),
    ignoreScopes: file.ignore_scopes ?? [],
    expiryWarningDays: file.expiry_warning_days ?? DEFAULT_POLICY.expiryWarningDays,
    exceptionRules: { maxLifetimeMs, approvers: file.exception_rules?.approvers ?? [] },
    sla,
    exceptions,
    maintenance: toMaintenance(file.maintenance),
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

function nodeAt(document: Document, keyPath: readonly (string | number)[]): YamlNode | undefined {
  const node: unknown = document.getIn(keyPath, true);
  return node !== null && typeof node === 'object' && 'range' in node ? (node as YamlNode) : undefined;
}

/**
 * The issue to report: an unknown key first, since a typo (`expires_onn`) also makes the real key
 * look missing and the typo is what the author must fix.
 */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0];
  if (!issue) throw new Error('schema rejected a value without saying why');
  return issue;
}

/** One line for a schema issue, and the offset of the YAML node it is about. */
function describeIssue(issue: z.core.$ZodIssue, document: Document): { message: string; offset: number | undefined } {
  const where = issue.path.length > 0 ? ` in ${formatPath(issue.path)}` : '';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const parent = nodeAt(document, issue.path as (string | number)[]) ?? document.contents ?? undefined;
    let offset: number | undefined = parent?.range?.[0];
    if (parent && isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key)) offset = pair.key.range?.[0];
    }
    const known = knownKeys(issue.path);
    const suggestion = closest(key, known);
    return {
      message: `unknown key "${key}"${where}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      offset,
    };
  }
  // A missing key is reported at its parent; anything else at the value itself.
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    const parentPath = issue.path.slice(0, -1);
    const parent = nodeAt(document, parentPath as (string | number)[]);
    return { message: `${issueText(issue)}${parentPath.length > 0 ? ` in ${formatPath(parentPath)}` : ''}`, offset: parent?.range?.[0] };
  }
  let node = nodeAt(document, issue.path as (string | number)[]);
  for (let depth = issue.path.length - 1; !node && depth >= 0; depth--) node = nodeAt(document, issue.path.slice(0, depth) as (string | number)[]);
  return { message: `${issueText(issue)}${where}`, offset: node?.range?.[0] };
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return `missing required "${String(issue.path.at(-1))}"`;
  if (issue.code === 'unrecognized_keys') return `unknown key "${issue.keys[0] ?? ''}"`;
  return issue.message;
}

function formatPath(keyPath: readonly PropertyKey[]): string {
  return keyPath.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`)).join('');
}

function knownKeys(keyPath: readonly PropertyKey[]): readonly string[] {
  if (keyPath[0] === 'exceptions') return Object.keys(ExceptionEntrySchema.shape);
  if (keyPath.length === 0) return Object.keys(PolicyFileSchema.shape);
  if (keyPath[0] === 'exception_rules' && keyPath.length === 1) return ['max_lifetime', 'approvers'];
  return ['critical', 'high', 'medium', 'low'];
}

/** The known key within two edits of a typo, if any (Levenshtein distance). */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
