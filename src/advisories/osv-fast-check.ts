import { checkEcosystemSpelling } from './osv-ecosystems.js';
import type { OsvRecord } from './osv.js';

// A hand-written check of the fields of the OSV record that `OsvRecord` (osv.ts) checks, for the
// bulk of a dump: records that pass it are exactly what the schema accepts and are used as
// parsed (the schema keeps unknown fields, and changes none). It is stricter, never looser: any
// record it does not accept goes through the schema, which decides and words the rejection.
// Profiled on the shared records: the schema cost about 40% of an import's CPU time.

type Plain = Record<string, unknown>;

function isObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** `undefined` or a string (a schema `optional()` string). */
function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isTimestamp(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** `null`, `undefined`, or an array whose items all pass `item` (a schema `nullish()` array). */
function nullishArray(value: unknown, item: (value: unknown) => boolean): boolean {
  if (value === undefined || value === null) return true;
  if (!Array.isArray(value)) return false;
  for (const entry of value) if (!item(entry)) return false;
  return true;
}

function nullishRecord(value: unknown): boolean {
  return value === undefined || value === null || isObject(value);
}

function isSeverity(value: unknown): boolean {
  return isObject(value) && isString(value['type']) && isString(value['score']);
}

const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function isEvent(value: unknown): boolean {
  if (!isObject(value)) return false;
  let present = 0;
  for (const kind of EVENT_KINDS) {
    const entry = value[kind];
    if (entry === undefined) continue;
    if (typeof entry !== 'string') return false;
    present++;
  }
  return present === 1;
}

const RANGE_TYPES: ReadonlySet<unknown> = new Set(['GIT', 'SEMVER', 'ECOSYSTEM']);

function isRange(value: unknown): boolean {
  if (!isObject(value) || !RANGE_TYPES.has(value['type']) || !optionalString(value['repo'])) return false;
  const specific = value['database_specific'];
  if (specific !== undefined && !isObject(specific)) return false;
  const events = value['events'];
  if (!Array.isArray(events) || events.length === 0) return false;
  let introduced = false;
  let fixed = false;
  let lastAffected = false;
  for (const event of events) {
    if (!isEvent(event)) return false;
    const plain = event as Plain;
    if ('introduced' in plain) introduced = true;
    if ('fixed' in plain) fixed = true;
    if ('last_affected' in plain) lastAffected = true;
  }
  return introduced && !(fixed && lastAffected);
}

function isPackage(value: unknown): boolean {
  if (value === undefined) return true;
  if (!isObject(value)) return false;
  const { ecosystem, name } = value;
  if (!isString(ecosystem) || ecosystem === '' || checkEcosystemSpelling(ecosystem).kind === 'misspelt') return false;
  if (!isString(name) || name === '' || name !== name.trim()) return false;
  return optionalString(value['purl']);
}

function isAffected(value: unknown): boolean {
  return (
    isObject(value) &&
    isPackage(value['package']) &&
    nullishArray(value['severity'], isSeverity) &&
    nullishArray(value['ranges'], isRange) &&
    nullishArray(value['versions'], isString) &&
    nullishRecord(value['ecosystem_specific']) &&
    nullishRecord(value['database_specific'])
  );
}

const isReference = (value: unknown): boolean => isObject(value) && isString(value['type']) && isString(value['url']);
const isCredit = (value: unknown): boolean => isObject(value) && isString(value['name']);

/**
 * Whether `value` passes the OSV record schema, decided without it for every record that does
 * (see above); `false` means "ask the schema", not "invalid".
 */
export function passesOsvFastCheck(value: Plain): value is Plain & OsvRecord {
  const id = value['id'];
  return (
    isString(id) &&
    id !== '' &&
    isTimestamp(value['modified']) &&
    (value['published'] === undefined || isTimestamp(value['published'])) &&
    (value['withdrawn'] === undefined || isTimestamp(value['withdrawn'])) &&
    optionalString(value['schema_version']) &&
    optionalString(value['summary']) &&
    optionalString(value['details']) &&
    nullishArray(value['aliases'], isString) &&
    nullishArray(value['related'], isString) &&
    nullishArray(value['upstream'], isString) &&
    nullishArray(value['severity'], isSeverity) &&
    nullishArray(value['affected'], isAffected) &&
    nullishArray(value['references'], isReference) &&
    nullishArray(value['credits'], isCredit) &&
    nullishRecord(value['database_specific'])
  );
}
