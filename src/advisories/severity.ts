import { createRequire } from 'node:module';
import type { Severity, SeverityLevel } from '../core/types.js';
import type { OsvRecord, OsvSeverity } from './osv.js';

type CvssCalculators = typeof import('ae-cvss-calculator');
let calculators: CvssCalculators | undefined;

/** The calculator package is large and only needed once a finding is scored: load it then. */
function cvssCalculators(): CvssCalculators {
  calculators ??= createRequire(import.meta.url)('ae-cvss-calculator') as CvssCalculators;
  return calculators;
}

// Metrics of each CVSS version in the order of the specification's vector-string table, with the
// values each may take; `base` marks the ones every vector must carry.
interface MetricSpec {
  readonly values: readonly string[];
  readonly base?: true;
}

const IMPACT = { values: ['H', 'L', 'N'], base: true } as const;
const REQUIREMENT = { values: ['X', 'H', 'M', 'L'] } as const;
const MODIFIED_IMPACT = { values: ['X', 'N', 'L', 'H'] } as const;

// CVSS v3.0 and v3.1 specification section 6 "Vector String", Table 15
// (https://www.first.org/cvss/v3.0/specification-document#Vector-String,
// https://www.first.org/cvss/v3.1/specification-document#Vector-String).
const CVSS_V3_METRICS: ReadonlyMap<string, MetricSpec> = new Map<string, MetricSpec>([
  ['AV', { values: ['N', 'A', 'L', 'P'], base: true }],
  ['AC', { values: ['L', 'H'], base: true }],
  ['PR', { values: ['N', 'L', 'H'], base: true }],
  ['UI', { values: ['N', 'R'], base: true }],
  ['S', { values: ['U', 'C'], base: true }],
  ['C', IMPACT],
  ['I', IMPACT],
  ['A', IMPACT],
  ['E', { values: ['X', 'H', 'F', 'P', 'U'] }],
  ['RL', { values: ['X', 'U', 'W', 'T', 'O'] }],
  ['RC', { values: ['X', 'C', 'R', 'U'] }],
  ['CR', REQUIREMENT],
  ['IR', REQUIREMENT],
  ['AR', REQUIREMENT],
  ['MAV', { values: ['X', 'N', 'A', 'L', 'P'] }],
  ['MAC', { values: ['X', 'L', 'H'] }],
  ['MPR', { values: ['X', 'N', 'L', 'H'] }],
  ['MUI', { values: ['X', 'N', 'R'] }],
  ['MS', { values: ['X', 'U', 'C'] }],
  ['MC', MODIFIED_IMPACT],
  ['MI', MODIFIED_IMPACT],
  ['MA', MODIFIED_IMPACT],
]);

const MODIFIED_SUBSEQUENT = { values: ['X', 'S', 'H', 'L', 'N'] } as const;

// CVSS v4.0 specification section 7 "Vector String", Table 23
// (https://www.first.org/cvss/v4.0/specification-document#Vector-String).
const CVSS_V4_METRICS: ReadonlyMap<string, MetricSpec> = new Map<string, MetricSpec>([
  ['AV', { values: ['N', 'A', 'L', 'P'], base: true }],
  ['AC', { values: ['L', 'H'], base: true }],
  ['AT', { values: ['N', 'P'], base: true }],
  ['PR', { values: ['N', 'L', 'H'], base: true }],
  ['UI', { values: ['N', 'P', 'A'], base: true }],
  ['VC', IMPACT],
  ['VI', IMPACT],
  ['VA', IMPACT],
  ['SC', IMPACT],
  ['SI', IMPACT],
  ['SA', IMPACT],
  ['E', { values: ['X', 'A', 'P', 'U'] }],
  ['CR', REQUIREMENT],
  ['IR', REQUIREMENT],
  ['AR', REQUIREMENT],
  ['MAV', { values: ['X', 'N', 'A', 'L', 'P'] }],
  ['MAC', { values: ['X', 'L', 'H'] }],
  ['MAT', { values: ['X', 'N', 'P'] }],
  ['MPR', { values: ['X', 'N', 'L', 'H'] }],
  ['MUI', { values: ['X', 'N', 'P', 'A'] }],
  ['MVC', MODIFIED_IMPACT],
  ['MVI', MODIFIED_IMPACT],
  ['MVA', MODIFIED_IMPACT],
  ['MSC', MODIFIED_IMPACT],
  ['MSI', MODIFIED_SUBSEQUENT],
  ['MSA', MODIFIED_SUBSEQUENT],
  ['S', { values: ['X', 'N', 'P'] }],
  ['AU', { values: ['X', 'N', 'Y'] }],
  ['R', { values: ['X', 'A', 'U', 'I'] }],
  ['V', { values: ['X', 'D', 'C'] }],
  ['RE', { values: ['X', 'L', 'M', 'H'] }],
  ['U', { values: ['X', 'Clear', 'Green', 'Amber', 'Red'] }],
]);

// v2 keeps the shape it had: its guide (section 2.4) lists the metrics "in a predetermined order".
const CVSS_V2_BASE = /^(?:\(?)AV:[NAL]\/AC:[LMH]\/Au:[MSN]\/C:[NPC]\/I:[NPC]\/A:[NPC]\b/;

/**
 * The vector with its metrics in the specification's order, or `undefined` when it is not a valid
 * vector of its version: an unknown metric or value, a metric given twice, a base metric missing,
 * or (v4.0) metrics out of order. Such a vector gets no score, so it counts as unknown severity.
 *
 * Order: CVSS v3.0 and v3.1 section 6 say a vector "should contain metrics in the order shown in
 * Table 15, though other orderings are valid", that "programs reading CVSS v3.x vector strings
 * must accept metrics in any order", and that "a vector string must not include the same metric
 * more than once": any order is read, and put in Table 15's order for the calculator. CVSS v4.0
 * section 7 says the opposite: "a vector string must contain metrics in the order shown in
 * Table 23, every other ordering is invalid".
 */
function canonicalVector(
  prefix: string,
  metrics: ReadonlyMap<string, MetricSpec>,
  parts: readonly string[],
  order: 'any' | 'table',
): string | undefined {
  const names = [...metrics.keys()];
  const given = new Map<string, string>();
  let previous = -1;
  for (const part of parts) {
    const colon = part.indexOf(':');
    const name = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const spec = metrics.get(name);
    if (colon < 0 || spec === undefined || !spec.values.includes(value) || given.has(name)) return undefined;
    const index = names.indexOf(name);
    if (order === 'table' && index < previous) return undefined;
    previous = index;
    given.set(name, value);
  }
  for (const [name, spec] of metrics) {
    if (spec.base === true && !given.has(name)) return undefined;
  }
  const ordered = names.flatMap((name) => {
    const value = given.get(name);
    return value === undefined ? [] : [`${name}:${value}`];
  });
  return [prefix, ...ordered].join('/');
}

export interface CvssScore {
  readonly version: '2.0' | '3.0' | '3.1' | '4.0';
  readonly score: number;
  readonly level: Exclude<SeverityLevel, 'unknown'>;
  readonly vector: string;
}

/**
 * Base score and qualitative rating of a CVSS vector, computed (not looked up). `undefined` for a
 * vector that is malformed or lacks base metrics (see `canonicalVector`); `vector` is as written. Ratings: CVSS v3.1 spec section 5 and v4.0
 * section 6 (same bands); v2 has no "critical" (NVD: 7.0-10.0 high).
 */
export function scoreCvss(vector: string): CvssScore | undefined {
  if (knownScores.has(vector)) return knownScores.get(vector);
  const trimmed = vector.trim();
  const [prefix = '', ...parts] = trimmed.split('/');
  try {
    const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculators();
    if (prefix === 'CVSS:4.0') {
      const canonical = canonicalVector(prefix, CVSS_V4_METRICS, parts, 'table');
      const base = canonical === undefined ? undefined : new Cvss4P0(canonical).calculateScores().base;
      return base === undefined ? undefined : { version: '4.0', score: base, level: ratingV3(base), vector: trimmed };
    }
    if (prefix === 'CVSS:3.0' || prefix === 'CVSS:3.1') {
      const canonical = canonicalVector(prefix, CVSS_V3_METRICS, parts, 'any');
      if (canonical === undefined) return undefined;
      const calculator = prefix === 'CVSS:3.0' ? new Cvss3P0(canonical) : new Cvss3P1(canonical);
      const base = calculator.calculateScores().base;
      const version = prefix === 'CVSS:3.0' ? '3.0' : '3.1';
      return base === undefined ? undefined : { version, score: base, level: ratingV3(base), vector: trimmed };
    }
    if (CVSS_V2_BASE.test(trimmed)) {
      const bare = trimmed.replace(/^\(|\)$/g, '');
      const base = new Cvss2(bare).calculateScores().base;
      return base === undefined ? undefined : { version: '2.0', score: base, level: ratingV2(base), vector: bare };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

// Scores computed when the records were written (the store's `cvss_scores`), keyed by the vector
// as the record writes it: an audit reads them instead of loading the calculator (about 130 ms of
// start-up, issue 15).
const knownScores = new Map<string, CvssScore | undefined>();

/**
 * Tells `scoreCvss` the score of `vector` (as written in a record), computed earlier by
 * `scoreCvss` itself and kept in the advisory store; `undefined` for a vector that has none.
 */
export function rememberCvssScore(vector: string, score: CvssScore | undefined): void {
  knownScores.set(vector, score);
}

/** Whether `scoreCvss` already knows the score of `vector` without computing it. */
export function knowsCvssScore(vector: string): boolean {
  return knownScores.has(vector);
}

function ratingV3(score: number): CvssScore['level'] {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

function ratingV2(score: number): CvssScore['level'] {
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  return 'high';
}

const CVSS_PREFERENCE = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'] as const;

/** GitHub's labels in `database_specific.severity`, with "moderate" for medium. */
const LABELS: Readonly<Record<string, Exclude<SeverityLevel, 'unknown'>>> = {
  low: 'low',
  moderate: 'medium',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

/**
 * The severity one record gives a package: its newest CVSS vector (v4, then v3, then v2; the
 * package-level `affected[].severity` before the record-level one), else its GHSA-style label,
 * else `undefined`.
 */
export function severityOfRecord(record: OsvRecord, packageSeverities: readonly OsvSeverity[] = []): Severity | undefined {
  const entries = [...packageSeverities, ...(record.severity ?? [])];
  for (const type of CVSS_PREFERENCE) {
    for (const entry of entries) {
      if (entry.type !== type) continue;
      const scored = scoreCvss(entry.score);
      if (scored) {
        return { level: scored.level, score: scored.score, vector: scored.vector, source: `${record.id}:${type}` };
      }
    }
  }
  const label = record.database_specific?.['severity'];
  if (typeof label === 'string') {
    const level = LABELS[label.toLowerCase()];
    if (level) return { level, source: `${record.id}:database_specific.severity` };
  }
  return undefined;
}

const ORDER: readonly SeverityLevel[] = ['unknown', 'none', 'low', 'medium', 'high', 'critical'];

/** Whether `a` is more severe than `b` (`unknown` ranks lowest here: a policy decides what it means). */
export function isMoreSevere(a: SeverityLevel, b: SeverityLevel): boolean {
  return ORDER.indexOf(a) > ORDER.indexOf(b);
}

/**
 * The severity of a group of records describing one flaw: the most severe any of them gives
 * (conservative when databases disagree), a computed CVSS score preferred over a label of the same
 * level. `unknown` when none carries one.
 */
export function severityOfGroup(candidates: readonly Severity[]): Severity {
  let best: Severity | undefined;
  for (const candidate of candidates) {
    if (
      !best ||
      isMoreSevere(candidate.level, best.level) ||
      (candidate.level === best.level && candidate.score !== undefined && best.score === undefined)
    ) {
      best = candidate;
    }
  }
  return best ?? { level: 'unknown', source: 'none' };
}
