import { PackageURL } from 'packageurl-js';
import { DeskRuleError } from '../../core/errors.js';
import { ecosystems } from '../../ecosystems/ecosystems.js';
import type { DeskConfig } from '../config/desk-config.js';
import type { BackportRow, DeskReport } from '../types.js';
import { advisoryPackageOf, affectedEvents, isAffectedRow, type AdvisoryPackage, type RangeEvent } from './affected-ranges.js';
import { fencedBlock, isWebUrl } from './markdown-text.js';
import { creditedName, cveRecordUrl, patchesOf, requireAssessment } from './report-parts.js';

/** The OSV schema version the records are written for (https://ossf.github.io/osv-schema/). */
export const OSV_SCHEMA_VERSION = '1.7.0';

/** One event of an OSV range. */
export type OsvAdvisoryEvent = RangeEvent;

/** One affected package of the record. */
export interface OsvAdvisoryAffected {
  readonly package: { readonly ecosystem: string; readonly name: string; readonly purl: string };
  /** One ECOSYSTEM range built from the backport matrix; absent when no release is affected. */
  readonly ranges?: readonly { readonly type: 'ECOSYSTEM'; readonly events: readonly OsvAdvisoryEvent[] }[];
  /** The desk's view of each release series: `{ series: [{ name, status, fixed? }] }`, newest first. */
  readonly database_specific: {
    readonly series: readonly { readonly name: string; readonly status: BackportRow['status']; readonly affected: boolean; readonly fixed?: string }[];
  };
}

/** An OSV record as the desk publishes it: plain JSON data, field names as in the schema. */
export interface OsvAdvisory {
  readonly schema_version: string;
  readonly id: string;
  readonly modified: string;
  readonly published: string;
  /** The CVE id, once assigned. */
  readonly aliases?: readonly string[];
  /** The team's one-line summary (plain text). */
  readonly summary: string;
  /** The description and the impact (CommonMark), the reporter's text in fenced blocks. */
  readonly details: string;
  readonly severity: readonly { readonly type: 'CVSS_V3' | 'CVSS_V4'; readonly score: string }[];
  readonly affected: readonly OsvAdvisoryAffected[];
  readonly references?: readonly { readonly type: 'ADVISORY' | 'FIX' | 'WEB'; readonly url: string }[];
  /** The reporter, only when they asked to be credited by name. */
  readonly credits?: readonly { readonly name: string; readonly type: 'FINDER' }[];
  readonly database_specific: {
    /** The level, in GitHub's spelling (`HIGH`, `MODERATE`, `LOW`), which vigil and others read. */
    readonly severity: 'HIGH' | 'MODERATE' | 'LOW';
    readonly cwe_ids: readonly string[];
    /** The desk's advisory id, when the record id had to differ from it (see `osvRecordId`). */
    readonly advisory_id?: string;
  };
}

/** What the OSV record needs beyond the report and the configuration. */
export interface OsvAdvisoryOptions {
  /** The desk's advisory id, from `advisoryIdFor`. */
  readonly id: string;
  /** When the advisory is (to be) published: the disclosure time (ISO 8601). */
  readonly published: string;
  /** When the record was last changed (ISO 8601). */
  readonly modified: string;
  /** The report's backport matrix (from the supported-versions module). */
  readonly matrix: readonly BackportRow[];
  /**
   * Whether the id's prefix is registered as an OSV database prefix
   * (https://ossf.github.io/osv-schema/#id-modified-fields). Default false: see `osvRecordId`.
   */
  readonly registeredPrefix?: boolean;
  /** The public page of the project's advisory, referenced as `ADVISORY`. */
  readonly advisoryUrl?: string;
}

/**
 * The desk's advisory id: `${advisoryPrefix}-${year}-${report.id}` (`EXAMPLE-SA-2025-12`), the
 * year usually that of the disclosure.
 */
export function advisoryIdFor(report: DeskReport, config: DeskConfig, year: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new DeskRuleError(`advisory year ${year} is not a four-digit year`);
  return `${config.project.advisoryPrefix}-${year}-${report.id}`;
}

/** The desk's advisory id of a scheduled report, numbered in the (UTC) year of its disclosure. */
export function advisoryIdAtDisclosure(report: DeskReport, config: DeskConfig, disclosureAt: string): string {
  const time = Date.parse(disclosureAt);
  if (Number.isNaN(time)) throw new DeskRuleError(`disclosure time "${disclosureAt}" is not an ISO 8601 instant`);
  return advisoryIdFor(report, config, new Date(time).getUTCFullYear());
}

/**
 * The id an OSV record carries. The official schema admits only registered database prefixes
 * (GHSA, PYSEC, ...) and `x_` for any other database; a project's own prefix is rarely
 * registered, so its ids are written `x_EXAMPLE-SA-2025-12` unless `registered` says otherwise.
 */
export function osvRecordId(advisoryId: string, registered = false): string {
  return registered || advisoryId.startsWith('x_') ? advisoryId : `x_${advisoryId}`;
}

function timestamp(value: string, field: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new DeskRuleError(`OSV ${field} time "${value}" is not an ISO 8601 instant`);
  return new Date(time).toISOString();
}

function purlOf(pkg: AdvisoryPackage): string {
  // purl-spec: an npm scope is the namespace; OSV wants the purl without a version.
  const scoped = /^(@[^/]+)\/(.+)$/.exec(pkg.name);
  const namespace = pkg.ecosystem === 'npm' && scoped ? scoped[1] : undefined;
  const name = pkg.ecosystem === 'npm' && scoped ? (scoped[2] ?? pkg.name) : pkg.name;
  return new PackageURL(ecosystems[pkg.ecosystem].purlType, namespace, name, undefined, undefined, undefined).toString();
}

/**
 * The OSV record of an accepted report (https://ossf.github.io/osv-schema/): summary, details
 * (description and impact), CVSS severity, the affected package with one ECOSYSTEM range built
 * from the fixed versions per series (see `affectedEvents`), references (patch URLs as FIX, the
 * advisory page, the project, the CVE record), the credit when the reporter chose to be named,
 * and the level and CWE ids in `database_specific`.
 */
export function buildOsvAdvisory(report: DeskReport, config: DeskConfig, options: OsvAdvisoryOptions): OsvAdvisory {
  const assessment = requireAssessment(report, 'OSV advisory');
  const pkg = advisoryPackageOf(assessment.package);
  const events = affectedEvents(options.matrix, pkg, assessment.introduced);
  const recordId = osvRecordId(options.id, options.registeredPrefix);

  const references: { type: 'ADVISORY' | 'FIX' | 'WEB'; url: string }[] = [];
  const addReference = (type: 'ADVISORY' | 'FIX' | 'WEB', url: string): void => {
    if (isWebUrl(url) && !references.some((known) => known.url === url)) references.push({ type, url });
  };
  if (options.advisoryUrl !== undefined) addReference('ADVISORY', options.advisoryUrl);
  for (const patch of patchesOf(report, options.matrix)) addReference('FIX', patch.patch);
  const cveUrl = assessment.cve === undefined ? undefined : cveRecordUrl(assessment.cve);
  if (cveUrl !== undefined) addReference('ADVISORY', cveUrl);
  if (config.project.url !== undefined) addReference('WEB', config.project.url);

  const credit = creditedName(report.submission.reporter);
  const details = [
    'Description:',
    '',
    fencedBlock(report.submission.description),
    '',
    'Impact:',
    '',
    fencedBlock(report.submission.impact),
  ].join('\n');

  return {
    schema_version: OSV_SCHEMA_VERSION,
    id: recordId,
    modified: timestamp(options.modified, 'modified'),
    published: timestamp(options.published, 'published'),
    ...(assessment.cve === undefined ? {} : { aliases: [assessment.cve] }),
    summary: assessment.summary.replace(/\s+/g, ' ').trim(),
    details,
    severity: [{ type: assessment.cvss.version === '4.0' ? 'CVSS_V4' : 'CVSS_V3', score: assessment.cvss.vector }],
    affected: [
      {
        package: { ecosystem: pkg.ecosystem, name: pkg.name, purl: purlOf(pkg) },
        ...(events.length === 0 ? {} : { ranges: [{ type: 'ECOSYSTEM' as const, events }] }),
        database_specific: {
          series: options.matrix.map((row) => ({
            name: row.series,
            status: row.status,
            affected: isAffectedRow(row),
            ...(row.status === 'fixed' && row.fixedIn !== undefined ? { fixed: row.fixedIn } : {}),
          })),
        },
      },
    ],
    ...(references.length === 0 ? {} : { references }),
    ...(credit === undefined ? {} : { credits: [{ name: credit, type: 'FINDER' as const }] }),
    database_specific: {
      severity: assessment.severity === 'high' ? 'HIGH' : assessment.severity === 'moderate' ? 'MODERATE' : 'LOW',
      cwe_ids: [...assessment.cwes],
      ...(recordId === options.id ? {} : { advisory_id: options.id }),
    },
  };
}
