import { DeskRuleError } from '../../core/errors.js';
import type { Assessment, BackportRow, CvssScore, DeskReport, ReporterIdentity, SeverityLevel } from '../types.js';
import { advisoryPackageOf, firstAffectedIn, type AdvisoryPackage, type DeskEcosystemId } from './affected-ranges.js';

/** How each level is written in documents (the seed policies' words). */
export const SEVERITY_LABELS: Readonly<Record<SeverityLevel, string>> = { high: 'High', moderate: 'Moderate', low: 'Low' };

/** The assessment of an accepted report; a document about a report not yet accepted is refused. */
export function requireAssessment(report: DeskReport, document: string): Assessment {
  if (!report.assessment) throw new DeskRuleError(`report ${report.id} is not accepted yet; the ${document} needs its assessment`);
  return report.assessment;
}

/** The embargo end of a report; a document that announces it is refused before it is scheduled. */
export function requireDisclosureAt(report: DeskReport, document: string): string {
  if (report.disclosureAt === undefined) {
    throw new DeskRuleError(`report ${report.id} has no disclosure date yet; schedule the disclosure before writing the ${document}`);
  }
  return report.disclosureAt;
}

/** `CVSS 3.1 base score 9.8 (CVSS:3.1/AV:N/...)`. */
export function cvssText(cvss: CvssScore): string {
  return `CVSS ${cvss.version} base score ${cvss.score.toFixed(1)} (${cvss.vector})`;
}

/** The name the reporter asked to be credited under, or `undefined` for an anonymous reporter. */
export function creditedName(reporter: ReporterIdentity): string | undefined {
  if (reporter.credit.mode !== 'named') return undefined;
  const chosen = reporter.credit.name?.trim();
  return chosen === undefined || chosen === '' ? reporter.name : chosen;
}

// The install command that upgrades to one release, per ecosystem.
const UPGRADE_COMMANDS = {
  PyPI: (name: string, version: string) => `python -m pip install --upgrade "${name}==${version}"`,
  npm: (name: string, version: string) => `npm install ${name}@${version}`,
} as const satisfies Record<DeskEcosystemId, (name: string, version: string) => string>;

/** The command that installs one release of the advisory's package. */
export function upgradeCommand(pkg: AdvisoryPackage, version: string): string {
  return UPGRADE_COMMANDS[pkg.ecosystem](pkg.name, version);
}

/** What a document says about one row of the backport matrix. */
export interface SeriesStatement {
  readonly row: BackportRow;
  /** The row's name for people: `5.2`, or `main (development branch)`. */
  readonly label: string;
  /** Which of its versions carry the flaw: `all 5.1.x releases before 5.1.4`, `not affected`. */
  readonly affected: string;
  /** What is done about it: `fixed in 5.1.4`, `no fix is promised: ...`, `not affected`. */
  readonly fix: string;
  /** Whether the row is affected and will get no fix (past end of support). */
  readonly noFixPromised: boolean;
}

const NO_FIX = 'no fix is promised';

/** Statements about every row, in matrix order (newest first). */
export function describeSeries(report: DeskReport, matrix: readonly BackportRow[]): SeriesStatement[] {
  const assessment = requireAssessment(report, 'document');
  const pkg = advisoryPackageOf(assessment.package);
  return matrix.map((row) => describeRow(row, pkg, matrix, assessment.introduced));
}

function describeRow(
  row: BackportRow,
  pkg: AdvisoryPackage,
  matrix: readonly BackportRow[],
  introduced: string | undefined,
): SeriesStatement {
  const main = row.kind === 'main';
  const label = main ? `${row.series} (development branch)` : row.series;
  const from = firstAffectedIn(row, pkg, matrix, introduced);
  const releases = main ? 'affected' : from === undefined ? `all ${row.series}.x releases` : `${row.series}.x releases from ${from}`;
  const notAffected = { row, label, affected: 'not affected', noFixPromised: false };
  switch (row.status) {
    case 'not-affected':
      return { ...notAffected, fix: 'nothing to fix' };
    case 'fixed': {
      if (row.fixedIn === undefined) {
        return { row, label, affected: releases, fix: main ? 'fixed (no release of its own)' : 'fixed on its branch, not released yet', noFixPromised: false };
      }
      return { row, label, affected: `${releases} before ${row.fixedIn}`, fix: `fixed in ${row.fixedIn}`, noFixPromised: false };
    }
    case 'affected':
      return { row, label, affected: releases, fix: 'supported; the fix is not ready yet', noFixPromised: false };
    case 'unsupported': {
      if (!row.affected) return { ...notAffected, fix: `nothing to fix (${row.note})` };
      const note = row.note.trim();
      const fix = note.toLowerCase().includes(NO_FIX) ? note : `${NO_FIX}${note === '' ? '' : `: ${note}`}`;
      return { row, label, affected: releases, fix, noFixPromised: true };
    }
  }
}

/** A patch and what it fixes. */
export interface PatchEntry {
  readonly series: string;
  readonly fixedIn?: string;
  readonly patch: string;
}

/** Every recorded patch: those of the matrix rows, newest first, then fixes the matrix does not show. */
export function patchesOf(report: DeskReport, matrix: readonly BackportRow[]): PatchEntry[] {
  const patches: PatchEntry[] = [];
  for (const row of matrix) {
    if (row.patch === undefined) continue;
    patches.push({ series: row.series, patch: row.patch, ...(row.fixedIn === undefined ? {} : { fixedIn: row.fixedIn }) });
  }
  for (const fix of report.fixes) {
    if (patches.some((known) => known.series === fix.series && known.patch === fix.patch)) continue;
    patches.push({ series: fix.series, patch: fix.patch, ...(fix.fixedIn === undefined ? {} : { fixedIn: fix.fixedIn }) });
  }
  return patches;
}

/** The text with its first letter upper-cased. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The text without the full stop(s) it ends with, to be embedded in a sentence. */
export function withoutFullStop(text: string): string {
  return text.replace(/\.+$/, '');
}

/** The CVE record page of a CVE id, or `undefined` when the text is not a CVE id. */
export function cveRecordUrl(cve: string): string | undefined {
  return /^CVE-\d{4}-\d{4,}$/.test(cve) ? `https://www.cve.org/CVERecord?id=${cve}` : undefined;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinWords(words: readonly string[], conjunction = 'and'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1) ?? ''}`;
}
