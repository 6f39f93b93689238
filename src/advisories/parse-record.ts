import type { z } from 'zod';
import { readYaml } from '../core/bounded-yaml.js';
import { lineColumnAt } from '../core/errors.js';
import { MAX_ADVISORY_RECORD_BYTES, tooDeepMessage, tooLargeMessage } from '../core/input-limits.js';
import { findDeepJsonNesting } from '../core/json-scan.js';
import { OsvRecord } from './osv.js';
import { passesOsvFastCheck } from './osv-fast-check.js';

/** A record that was not imported, and why (one line). */
export interface RejectedRecord {
  /** The file as given (joined below a folder input), or `dump.zip!/ENTRY.json` for a zip entry. */
  readonly file: string;
  readonly reason: string;
}

export type RecordFormat = 'json' | 'yaml';

export type ParsedRecord =
  | { readonly ok: true; readonly record: OsvRecord }
  | { readonly ok: false; readonly reason: string };

/** The format of a record file from its name, `undefined` when it is not a record file. */
export function recordFormatOf(fileName: string): RecordFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a record larger than MAX_ADVISORY_RECORD_BYTES is refused unread. */
export const RECORD_TOO_LARGE = `the record is ${tooLargeMessage(MAX_ADVISORY_RECORD_BYTES, 'one advisory record')}`;

/** Validates one OSV record file's bytes (at most MAX_ADVISORY_RECORD_BYTES of them); never throws. */
export function parseRecordBytes(bytes: Uint8Array, format: RecordFormat): ParsedRecord {
  if (bytes.length > MAX_ADVISORY_RECORD_BYTES) return { ok: false, reason: RECORD_TOO_LARGE };
  const text = decodeRecordBytes(bytes);
  if (typeof text !== 'string') return text;
  return parseRecordText(text, format);
}

/** The text of a record file (BOM dropped), or the rejection when it is not UTF-8. */
export function decodeRecordBytes(bytes: Uint8Array): string | { readonly ok: false; readonly reason: string } {
  try {
    return utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'not UTF-8 text' };
  }
}

/** The rejection reason for a YAML parser error message. */
export function yamlErrorReason(message: string): string {
  return `invalid YAML: ${firstLine(message)}`;
}

/**
 * Validates one OSV record given as JSON or YAML text; never throws. Nesting deeper than
 * MAX_NESTING_DEPTH, or (YAML) aliases beyond their limits, reject the record like a syntax error.
 */
export function parseRecordText(text: string, format: RecordFormat): ParsedRecord {
  if (format === 'yaml') {
    // Failsafe schema: every scalar stays the string it was written as, so an unquoted version
    // `1.10` cannot turn into the number 1.1 and timestamps stay strings, as OSV wants them.
    const read = readYaml(text, { schema: 'failsafe', uniqueKeys: true });
    if (!read.ok) {
      const at = read.offset === undefined ? '' : ` (line ${read.lineCounter.linePos(read.offset).line})`;
      return { ok: false, reason: yamlErrorReason(`${read.message}${at}`) };
    }
    return validateRecord(read.value);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `invalid JSON: ${firstLine(message)}` };
  }
  // JSON.parse takes any depth; validating and storing the value recurse.
  const deep = findDeepJsonNesting(text);
  if (deep !== undefined) return { ok: false, reason: `arrays and objects ${tooDeepMessage()} (line ${lineColumnAt(text, deep).line})` };
  return validateRecord(value);
}

/** Checks a parsed value against the OSV record schema; never throws. */
export function validateRecord(value: unknown): ParsedRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return { ok: false, reason: `not an OSV record: expected a JSON object, got ${got}` };
  }
  const legacy = legacyFormatReason(value);
  if (legacy !== undefined) return { ok: false, reason: legacy };
  if (passesOsvFastCheck(value as Record<string, unknown>)) return { ok: true, record: value as OsvRecord };
  const result = OsvRecord.safeParse(value);
  if (!result.success) return { ok: false, reason: `invalid OSV record: ${formatIssues(result.error)}` };
  return { ok: true, record: result.data };
}

// nodejs/security-wg `vuln/npm` (`module_name`, `vulnerable_versions`, `patched_versions`, `cves`)
// and `vuln/core`, `vuln/deps` (`vulnerable`, `patched`, `cve`): the pre-OSV formats, which have
// neither an OSV `modified` time nor `affected[]`. Named plainly so nobody mistakes them for broken
// OSV; any other object with neither `id` nor `modified` is called "not an OSV record" too.
const LEGACY_KEYS = ['module_name', 'vulnerable_versions', 'patched_versions', 'vulnerable', 'patched', 'cves', 'cve'];
const SHOWN_KEYS = 5;

function legacyFormatReason(value: object): string | undefined {
  if ('modified' in value || 'affected' in value) return undefined;
  const legacy = LEGACY_KEYS.filter((key) => key in value);
  if (legacy.length > 0) {
    return (
      `not an OSV record: legacy nodejs-security-wg advisory format (${legacy.join(', ')}); ` +
      'import the OSV records (GHSA) for these packages instead'
    );
  }
  if ('id' in value) return undefined;
  const keys = Object.keys(value);
  const shown = keys.slice(0, SHOWN_KEYS).join(', ') + (keys.length > SHOWN_KEYS ? ', ...' : '');
  return `not an OSV record: no "id" and no "modified" (keys: ${shown === '' ? 'none' : shown})`;
}

const MAX_ISSUES = 3;

function formatIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const where = formatPath(issue.path);
    // zod words a missing field as a type error ("expected string, received undefined").
    const message = issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
      ? 'missing required field'
      : issue.message;
    return where === '' ? message : `${where}: ${message}`;
  });
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (+${more} more)` : '');
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').trim().replace(/:$/, '');
}
