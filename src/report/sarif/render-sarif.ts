import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, Notification, PhysicalLocation, ReportingDescriptor, Result, Suppression } from 'sarif';
import type { SourceLocation } from '../../core/types.js';
import type { GateDecision } from '../../policy/types.js';
import { imagePurl } from '../image-identity.js';
import { describeLocation, isInImage, shortDigest } from '../installed-location.js';
import type { Report, ReportFinding } from '../report.js';

/** The OASIS schema the output follows (SARIF 2.1.0 with errata 01). */
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/**
 * `uriBaseId` of a path inside a container image: such a path is not a file of the repository
 * or of the machine that ran vigil, so it is relative to this base, which the run describes
 * (SARIF 2.1.0 §3.4.4, §3.14.14), and each result names the layer in its properties.
 */
export const IMAGE_URI_BASE_ID = 'IMAGE_ROOT';

/** Key of the stable fingerprint in `partialFingerprints`: bump the version if the hash input changes. */
export const SARIF_FINGERPRINT_KEY = 'vigil/v1';

/**
 * `security-severity` when an advisory has no CVSS score: a value inside GitHub's band for the
 * level (critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9), see
 * https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object
 */
export const REPRESENTATIVE_SCORE: Readonly<Record<GateDecision['level'], string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  none: '0.0',
};

/**
 * Result level per gate decision. Blocking findings are errors. Findings below the threshold are
 * warnings: the shipped code is vulnerable, and a stricter `fail_on` would block them. Findings
 * only in an ignored scope (dev tooling) are notes. Findings allowed by an exception are notes
 * carrying an accepted external suppression, so code scanning shows them as dismissed.
 */
export const SARIF_LEVEL: Readonly<Record<GateDecision['kind'], Result.level>> = {
  blocking: 'error',
  'below-threshold': 'warning',
  'ignored-scope': 'note',
  'allowed-by-exception': 'note',
  'not-affected': 'note',
};

/** `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps). */
export function renderSarif(report: Report): string {
  return `${JSON.stringify(buildSarifLog(report), null, 2)}\n`;
}

function buildSarifLog(report: Report): Log {
  const ids = [...new Set(report.findings.map((finding) => finding.id))].sort();
  const ruleIndex = new Map(ids.map((id, index) => [id, index]));
  const rules = ids.map((id) => buildRule(report.findings.filter((finding) => finding.id === id)));
  const results = report.findings.map((finding) => buildResult(finding, ruleIndex.get(finding.id) ?? 0));
  const inImage = [...report.packages, ...report.skipped, ...report.findings.map((finding) => finding.package)].some((item) => isInImage(item.location));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules,
          },
        },
        invocations: [
          {
            // The audit itself ran; a failed gate is what the results say, not a tool failure.
            executionSuccessful: true,
            endTimeUtc: report.generatedAt,
            toolConfigurationNotifications: report.policy.problems.map(
              (problem): Notification => ({
                descriptor: { id: problem.code },
                level: problem.severity,
                message: { text: problem.message },
                ...(problem.location ? { locations: [{ physicalLocation: physicalLocation(problem.location) }] } : {}),
              }),
            ),
            // Skipped entries are never silent: each is a notification at its line.
            toolExecutionNotifications: report.skipped.map(
              (entry): Notification => ({
                descriptor: { id: 'skipped-entry' },
                level: 'warning',
                message: {
                  text: `not audited${entry.name ? ` ${entry.name}${entry.version ? ` ${entry.version}` : ''}` : ''}: ${entry.reason}${isInImage(entry.location) ? ` (${describeLocation(entry.location, { full: true })})` : ''}`,
                },
                locations: [{ physicalLocation: physicalLocation(entry.location) }],
              }),
            ),
          },
        ],
        results,
        ...(inImage
          ? {
              originalUriBaseIds: {
                [IMAGE_URI_BASE_ID]: {
                  description: { text: 'The root of the audited container image: paths are inside the image; each result names the layer that holds the file (properties.layer).' },
                },
              },
            }
          : {}),
        properties: {
          reportSchemaVersion: report.schemaVersion,
          // What each audited image records about itself (names bounded, controls written visibly).
          ...(report.images === undefined
            ? {}
            : {
                images: report.images.map((image) => ({
                  references: image.references,
                  ...(image.repository === undefined ? {} : { repository: image.repository }),
                  ...(image.tag === undefined ? {} : { tag: image.tag }),
                  ...(image.digest === undefined ? {} : { digest: image.digest, digestOf: image.digestOf }),
                  ...(imagePurl(image) === undefined ? {} : { purl: imagePurl(image) }),
                })),
              }),
          passed: report.summary.passed,
          blocking: report.summary.blocking,
          allowedByException: report.summary.allowedByException,
          belowThreshold: report.summary.belowThreshold,
          ignoredScope: report.summary.ignoredScope,
          policyErrors: report.summary.policyErrors,
          skipped: report.summary.skipped,
        },
      },
    ],
  };
}

/** https://osv.dev shows every id it imports (GHSA, PYSEC, CVE...). */
function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** The score GitHub ranks alerts by: the CVSS base score, else a value in the level's band. */
function securitySeverity(finding: ReportFinding): string {
  if (finding.severity.score !== undefined) return finding.severity.score.toFixed(1);
  // `unknown` is judged at the policy's level for it: the decision carries that level.
  const level = finding.severity.level === 'unknown' ? finding.decision.level : finding.severity.level;
  return REPRESENTATIVE_SCORE[level];
}

function buildRule(group: readonly ReportFinding[]): ReportingDescriptor {
  const first = group[0];
  if (!first) throw new Error('buildRule: empty advisory group');
  const { id } = first;
  const aliases = [...new Set(group.flatMap((finding) => finding.aliases))].sort();
  const scores = group.map(securitySeverity);
  const malicious = group.some((finding) => finding.malicious === true);
  // A malicious package is the worst case code scanning can show (#15, item 3).
  const highest = malicious ? '10.0' : scores.reduce((max, score) => (Number(score) > Number(max) ? score : max));
  const fixes = [...new Set(group.map((finding) => fixLine(finding)))];
  const exceptionYaml = [
    'exceptions:',
    `  - id: ${id}`,
    `    package: ${first.package.name}`,
    '    reason: why the risk is accepted',
    '    approved_by: who accepted it',
    '    issue: tracking issue URL',
    '    expires_on: YYYY-MM-DD',
  ];
  const also = aliases.length > 0 ? ` Also known as ${aliases.join(', ')}.` : '';
  const severity = first.severity.level === 'unknown' ? 'unknown severity' : `${first.severity.level} severity`;
  const score = first.severity.score === undefined ? '' : ` (CVSS ${first.severity.score.toFixed(1)})`;
  return {
    id,
    name: ruleName(id),
    shortDescription: { text: oneLine(first.summary) || id },
    fullDescription: { text: `${sentence(oneLine(first.summary) || id)}${also} ${capitalise(severity)}${score}.` },
    helpUri: advisoryUrl(id),
    help: {
      text: [
        `${id}: ${oneLine(first.summary)}`,
        '',
        ...fixes,
        '',
        // A malicious package cannot be accepted: the gate refuses exceptions for it.
        ...(malicious ? [] : ['To accept the risk for a while instead, add an exception to vigil.yaml:', '', ...exceptionYaml, '']),
        `Advisory: ${advisoryUrl(id)}`,
      ].join('\n'),
      markdown: [
        `**${id}**: ${oneLine(first.summary)}`,
        '',
        ...fixes.map((line) => `- ${line}`),
        '',
        ...(malicious ? [] : ['To accept the risk for a while instead, add an exception to `vigil.yaml`:', '', '```yaml', ...exceptionYaml, '```', '']),
        `[${id} on osv.dev](${advisoryUrl(id)})`,
      ].join('\n'),
    },
    properties: {
      tags: ['security', malicious ? 'malicious' : 'vulnerability', 'dependency', ...aliases],
      'security-severity': highest,
      precision: 'very-high',
    },
  };
}

function fixLine(finding: ReportFinding): string {
  const { name, version } = finding.package;
  if (finding.malicious === true) return `${name} ${version} is malicious: remove it (no version upgrade or exception applies).`;
  return finding.fixed.length > 0
    ? `Upgrade ${name} ${version} to ${finding.fixed.join(' or ')} or later.`
    : `No fixed version of ${name} is known for ${version}: replace or remove it.`;
}

function buildResult(finding: ReportFinding, ruleIndex: number): Result {
  const { package: pkg, decision } = finding;
  const ids = [finding.id, ...finding.aliases].join(', ');
  const fix = finding.malicious === true ? 'remove it' : finding.fixed.length > 0 ? `fixed in ${finding.fixed.join(', ')}` : 'no fixed version known';
  const via = finding.paths[0] && finding.paths[0].length > 1 ? ` via ${finding.paths[0].join(' > ')}` : '';
  const what = finding.malicious === true ? 'is malicious' : 'is vulnerable to';
  // In an image the layer that brought the package is what a maintainer acts on (#13, item 6).
  const where = isInImage(pkg.location) ? ` (${describeLocation(pkg.location)})` : '';
  const source = pkg.distro !== undefined && pkg.distro.sourceName !== pkg.name ? ` (source package ${pkg.distro.sourceName} ${pkg.distro.sourceVersion})` : '';
  const result: Result = {
    ruleId: finding.id,
    ruleIndex,
    level: SARIF_LEVEL[decision.kind],
    message: {
      text: `${pkg.name} ${pkg.version}${source}${where}${via} ${what} ${ids} (${oneLine(finding.summary)}); ${fix}. Gate: ${decision.kind}, ${decision.reason}.`,
    },
    locations: [
      {
        physicalLocation: physicalLocation(pkg.location),
        logicalLocations: [{ name: pkg.name, fullyQualifiedName: pkg.purl, kind: 'package' }],
        ...(isInImage(pkg.location) ? { message: { text: `${pkg.location.file} in image layer ${pkg.location.layer}` } } : {}),
      },
    ],
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: finding.fingerprint },
    properties: {
      purl: pkg.purl,
      ecosystem: pkg.ecosystem,
      severity: finding.severity.level,
      decision: decision.kind,
      fixed: [...finding.fixed],
      ...(isInImage(pkg.location) ? { layer: pkg.location.layer, layerShort: shortDigest(pkg.location.layer), pathInImage: pkg.location.file } : {}),
      ...(pkg.distro === undefined
        ? {}
        : {
            distroRelease: pkg.distro.release,
            sourcePackage: pkg.distro.sourceName,
            sourceVersion: pkg.distro.sourceVersion,
            ...(pkg.distro.architecture === undefined ? {} : { architecture: pkg.distro.architecture }),
          }),
      ...(finding.distro === undefined
        ? {}
        : {
            distroUnfixed: finding.distro.unfixed,
            ...(finding.distro.urgency === undefined ? {} : { distroUrgency: finding.distro.urgency }),
            ...(finding.distro.noDsa === undefined ? {} : { distroNoDsa: finding.distro.noDsa }),
          }),
      ...(decision.kind === 'blocking' && decision.due !== undefined ? { due: decision.due, overdue: decision.overdue === true } : {}),
    },
  };
  if (decision.kind === 'allowed-by-exception') {
    const { exception } = decision;
    const suppression: Suppression = {
      kind: 'external',
      status: 'accepted',
      justification: exception.reason,
      location: { physicalLocation: physicalLocation(exception.location) },
      properties: { exception: exception.id, approvedBy: exception.approvedBy, issue: exception.issue, expiresOn: exception.expiresOn },
    };
    result.suppressions = [suppression];
  }
  if (decision.kind === 'not-affected') {
    // A VEX not_affected statement: suppressed where the statement is written.
    result.suppressions = [
      {
        kind: 'external',
        status: 'accepted',
        justification: `not affected per VEX${decision.vex.justification === undefined ? '' : `: ${decision.vex.justification}`}`,
        location: { physicalLocation: physicalLocation(decision.vex.location) },
        properties: { vex: decision.vex.id },
      },
    ];
  }
  return result;
}

function physicalLocation(location: SourceLocation): PhysicalLocation {
  return {
    artifactLocation: isInImage(location) ? imageArtifact(location.file) : { uri: fileUri(location.file) },
    ...(location.line === undefined
      ? {}
      : { region: { startLine: location.line, ...(location.column === undefined ? {} : { startColumn: location.column }) } }),
  };
}

/**
 * A path inside an image (`/var/lib/dpkg/status`), relative to the image's root: a `file:` URI
 * would name the file of the machine that ran vigil.
 */
function imageArtifact(file: string): { uri: string; uriBaseId: string } {
  return { uri: file.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/'), uriBaseId: IMAGE_URI_BASE_ID };
}

/**
 * Report paths are relative to the folder vigil ran in (the repository root in CI, which code
 * scanning resolves relative URIs against), or absolute outside it: a `file:` URI then.
 */
function fileUri(file: string): string {
  if (path.isAbsolute(file)) return pathToFileURL(file).href;
  return file.split('/').map(encodeURIComponent).join('/');
}

/** A rule name in SARIF's PascalCase style: `GHSA-jh3w-4vvf-mjgr` -> `GhsaJh3w4vvfMjgr`. */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => capitalise(part.toLowerCase()))
    .join('');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
