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

// Vector shapes from the OSV schema (validation/schema.json): the base metrics must all be there
// before a score means anything.
const CVSS_V3_BASE = /^CVSS:3\.[01]\/.*\bAV:[NALP]\/AC:[LH]\/PR:[NLH]\/UI:[NR]\/S:[UC]\/C:[NLH]\/I:[NLH]\/A:[NLH]\b/;
const CVSS_V4_BASE =
  /^CVSS:4\.0\/AV:[NALP]\/AC:[LH]\/AT:[NP]\/PR:[NLH]\/UI:[NPA]\/VC:[HLN]\/VI:[HLN]\/VA:[HLN]\/SC:[HLN]\/SI:[HLN]\/SA:[HLN]\b/;
const CVSS_V2_BASE = /^(?:\(?)AV:[NAL]\/AC:[LMH]\/Au:[MSN]\/C:[NPC]\/I:[NPC]\/A:[NPC]\b/;

export interface CvssScore {
  readonly version: '2.0' | '3.0' | '3.1' | '4.0';
  readonly score: number;
  readonly level: Exclude<SeverityLevel, 'unknown'>;
  readonly vector: string;
}

/**
 * Base score and qualitative rating of a CVSS vector, computed (not looked up). `undefined` for a
 * vector that is malformed or lacks base metrics. Ratings: CVSS v3.1 spec section 5 and v4.0
 * section 6 (same bands); v2 has no "critical" (NVD: 7.0-10.0 high).
 */
export function scoreCvss(vector: string): CvssScore | undefined {
  const trimmed = vector.trim();
  try {
    const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculators();
    if (CVSS_V4_BASE.test(trimmed)) {
      const base = new Cvss4P0(trimmed).calculateScores().base;
      return base === undefined ? undefined : { version: '4.0', score: base, level: ratingV3(base), vector: trimmed };
    }
    if (CVSS_V3_BASE.test(trimmed)) {
      const calculator = trimmed.startsWith('CVSS:3.0/') ? new Cvss3P0(trimmed) : new Cvss3P1(trimmed);
      const base = calculator.calculateScores().base;
      const version = trimmed.startsWith('CVSS:3.0/') ? '3.0' : '3.1';
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
