import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { AuditedImage } from '../../core/types.js';
import type { GateDecision } from '../../policy/types.js';
import { imagePurl } from '../image-identity.js';
import { describeSubject, fileAndLine, type AuditedSystem } from '../installed-location.js';
import type { Report, ReportFinding, ReportPackage } from '../report.js';

/** The CycloneDX version written; the tests validate against the library's schema for it. */
export const CYCLONEDX_VERSION = Spec.Version.v1dot6;

/** The VEX analysis one finding gets: `state`, optional `justification`, `response` and `detail`. */
export interface VexAnalysis {
  readonly state: Enums.Vulnerability.AnalysisState;
  readonly justification?: Enums.Vulnerability.AnalysisJustification;
  readonly response: readonly Enums.Vulnerability.AnalysisResponse[];
  readonly detail: string;
}

/**
 * VEX analysis per gate decision (CycloneDX 1.6 `vulnerabilities[].analysis`,
 * https://cyclonedx.org/docs/1.6/json/#vulnerabilities_items_analysis):
 * - blocking: `in_triage`; the vulnerability is open and must be fixed (detail: why it blocks, when it is due).
 * - allowed-by-exception: `exploitable` with response `will_not_fix` (the risk is accepted for
 *   now), plus `update` when a fixed version exists; detail carries the exception's reason,
 *   approver, issue and expiry. The policy file states no justification, so no `not_affected`
 *   is claimed from an exception's free-text reason: only a VEX statement can say that.
 * - below-threshold: `exploitable`, no response (the policy does not require a fix).
 * - ignored-scope: `exploitable`, no response; detail names the ignored scope. vigil has not
 *   verified that the dev tooling is absent from what ships, so it claims no `not_affected`.
 * - not-affected (a `--vex` statement): `not_affected` with the statement's justification
 *   (OpenVEX justifications mapped to CycloneDX's) and its file:line in detail.
 */
export function vexAnalysis(finding: ReportFinding): VexAnalysis {
  const decision: GateDecision = finding.decision;
  const { AnalysisState, AnalysisResponse } = Enums.Vulnerability;
  switch (decision.kind) {
    case 'blocking':
      return {
        state: AnalysisState.InTriage,
        response: [],
        detail: `vigil gate: blocking: ${decision.reason}${decision.due === undefined ? '' : `; ${decision.overdue === true ? 'overdue since' : 'due'} ${decision.due.slice(0, 10)}`}`,
      };
    case 'allowed-by-exception': {
      const { exception } = decision;
      return {
        state: AnalysisState.Exploitable,
        response: finding.fixed.length > 0 ? [AnalysisResponse.WillNotFix, AnalysisResponse.Update] : [AnalysisResponse.WillNotFix],
        detail:
          `vigil gate: risk accepted by exception ${exception.id}: ${exception.reason}; ` +
          `approved by ${exception.approvedBy}; issue ${exception.issue}; expires ${exception.expiresOn} ` +
          `(${exception.location.file}:${exception.location.line})`,
      };
    }
    case 'below-threshold':
      return { state: AnalysisState.Exploitable, response: [], detail: `vigil gate: not blocking: ${decision.reason}` };
    case 'ignored-scope':
      return { state: AnalysisState.Exploitable, response: [], detail: `vigil gate: not blocking: ${decision.reason}` };
    case 'not-affected': {
      const justification = cyclonedxJustification(decision.vex.justification);
      return {
        state: AnalysisState.NotAffected,
        ...(justification === undefined ? {} : { justification }),
        response: [],
        detail: `vigil gate: ${decision.reason}`,
      };
    }
  }
}

/**
 * A VEX statement's justification as CycloneDX's: its own values pass through; OpenVEX's map to
 * the nearest (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md#status-justifications);
 * anything else is only in the detail.
 */
function cyclonedxJustification(text: string | undefined): Enums.Vulnerability.AnalysisJustification | undefined {
  if (text === undefined) return undefined;
  const { AnalysisJustification } = Enums.Vulnerability;
  const own = new Map(Object.values(AnalysisJustification).map((value): [string, Enums.Vulnerability.AnalysisJustification] => [value, value])).get(text);
  if (own !== undefined) return own;
  const fromOpenVex: Readonly<Record<string, Enums.Vulnerability.AnalysisJustification>> = {
    component_not_present: AnalysisJustification.CodeNotPresent,
    vulnerable_code_not_present: AnalysisJustification.CodeNotPresent,
    vulnerable_code_not_in_execute_path: AnalysisJustification.CodeNotReachable,
    vulnerable_code_cannot_be_controlled_by_adversary: AnalysisJustification.RequiresEnvironment,
    inline_mitigations_already_exist: AnalysisJustification.ProtectedByMitigatingControl,
  };
  return fromOpenVex[text];
}

/** `--format cyclonedx`: a CycloneDX 1.6 BOM of the audited packages with VEX analysis from the gate. */
export function renderCyclonedx(report: Report): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(buildBom(report), { sortLists: true, space: 2 })}\n`;
}

function buildBom(report: Report): Models.Bom {
  const bom = new Models.Bom();
  bom.metadata.timestamp = new Date(report.generatedAt);
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, report.tool.name, { version: report.tool.version, bomRef: `${report.tool.name}@${report.tool.version}` }),
  );
  // bom-ref is the purl: one component per purl, though a lockfile may install it several times.
  // Keyed by the report's purl (what findings and dependsOn name).
  const components = new Map<string, Models.Component>();
  for (const pkg of report.packages) {
    if (components.has(pkg.purl)) continue;
    const purl = componentPurl(pkg);
    const component = new Models.Component(Enums.ComponentType.Library, pkg.name, { version: pkg.version, purl, bomRef: purl });
    // Dev, optional and peer packages are not required at run time (no scope means runtime).
    if (pkg.scopes.length > 0) component.scope = Enums.ComponentScope.Optional;
    for (const [name, value] of packageProperties(pkg)) component.properties.add(new Models.Property(name, value));
    components.set(pkg.purl, component);
    bom.components.add(component);
  }
  addDependencies(report, components);
  addSubject(bom, report, components);
  for (const vulnerability of buildVulnerabilities(report, components)) bom.vulnerabilities.add(vulnerability);
  return bom;
}

/** Names of the properties vigil writes (https://cyclonedx.org/docs/1.6/json/#components_items_properties). */
export const CDX_PROPERTY = {
  /** Digest of the image layer that holds the package's file (`sha256:...`). */
  layer: 'vigil:image:layer',
  /** The file that lists the package (its path in the image for an image) and line. */
  location: 'vigil:location',
  /** The distribution release, as OSV names it (`Debian:12`, `Ubuntu:22.04:LTS`). */
  distroRelease: 'vigil:distro:release',
  /** The Debian source package and its version, which Debian's and Ubuntu's advisories name. */
  sourceName: 'vigil:distro:source-name',
  sourceVersion: 'vigil:distro:source-version',
  /** Why vigil thinks the package is not from the distribution (it is then not audited). */
  foreignOrigin: 'vigil:distro:foreign-origin',
  /** A name the image records for itself (docker save RepoTags, OCI annotations), as written (bounded, visible). */
  imageReference: 'vigil:image:reference',
  /** The digest of the image's manifest (OCI layout), what a registry pulls by. */
  imageManifestDigest: 'vigil:image:manifest-digest',
  /** docker save's image id: the digest of the image's configuration. */
  imageId: 'vigil:image:id',
  /** Debian's urgency or Ubuntu's priority, its no-dsa note, and whether the release has no fix. */
  urgency: 'vigil:distro:urgency',
  noDsa: 'vigil:distro:no-dsa',
  unfixed: 'vigil:distro:unfixed',
} as const;

/**
 * The component's purl: the report's, plus for a Debian or Ubuntu binary built from a source
 * package of another name or version the `upstream` qualifier (`upstream=xz-utils`, or
 * `upstream=xz-utils@5.1.1alpha%2B20120614` when the versions differ), as Syft writes it and
 * Grype reads it to match the source package's advisories. The purl-spec's deb type definition
 * lists `arch`, `distro` and `repository_url`; qualifiers are open, and keys are kept sorted
 * (purl-spec: qualifiers sorted by key).
 */
export function componentPurl(pkg: Pick<ReportPackage, 'name' | 'version' | 'purl' | 'distro'>): string {
  const { distro } = pkg;
  if (distro === undefined || !pkg.purl.startsWith('pkg:deb/')) return pkg.purl;
  const sameName = distro.sourceName === pkg.name;
  const sameVersion = distro.sourceVersion === pkg.version;
  if (sameName && sameVersion) return pkg.purl;
  const upstream = sameVersion ? distro.sourceName : `${distro.sourceName}@${distro.sourceVersion}`;
  const [head = '', query] = pkg.purl.split('?', 2);
  const qualifiers = (query === undefined || query === '' ? [] : query.split('&')).filter((pair) => !pair.startsWith('upstream='));
  qualifiers.push(`upstream=${encodeURIComponent(upstream)}`);
  qualifiers.sort((a, b) => (a.split('=')[0] ?? '').localeCompare(b.split('=')[0] ?? ''));
  return `${head}?${qualifiers.join('&')}`;
}

/** What the BOM says of where the package is and, for a distribution package, of its release and source. */
function packageProperties(pkg: ReportPackage): [string, string][] {
  const properties: [string, string][] = [];
  if (pkg.location.layer !== undefined) {
    properties.push([CDX_PROPERTY.layer, pkg.location.layer], [CDX_PROPERTY.location, fileAndLine(pkg.location)]);
  }
  if (pkg.distro !== undefined) {
    properties.push(
      [CDX_PROPERTY.distroRelease, pkg.distro.release],
      [CDX_PROPERTY.sourceName, pkg.distro.sourceName],
      [CDX_PROPERTY.sourceVersion, pkg.distro.sourceVersion],
      ...(pkg.distro.foreignOrigin === undefined ? [] : [[CDX_PROPERTY.foreignOrigin, pkg.distro.foreignOrigin] as [string, string]]),
    );
  }
  return properties;
}

/**
 * What was audited, as `metadata.component` (https://cyclonedx.org/docs/1.6/json/#metadata_component):
 * for an image, a `container` component (with the layers that hold its packages as properties)
 * that depends on its operating system and on the packages not installed by dpkg; each
 * distribution release an `operating-system` component that depends on its dpkg packages; a root
 * file system of one release is that operating system. The one audited image names the container
 * (`name` its repository, `version` its tag, a `pkg:oci` purl from its manifest digest, the digest
 * as a SHA-256 hash and property); of several images each is a container component of its own
 * beside the anonymous whole. An audit of lockfiles has no subject: the BOM's components are the
 * project's dependencies.
 */
function addSubject(bom: Models.Bom, report: Report, components: ReadonlyMap<string, Models.Component>): void {
  const subject = describeSubject(report);
  const images = report.images ?? [];
  if (subject.layers.length === 0 && subject.systems.length === 0 && images.length === 0) return;
  const systems = subject.systems.map((system) => {
    const component = new Models.Component(Enums.ComponentType.OperatingSystem, system.vendor, { version: system.version, bomRef: systemRef(system) });
    component.properties.add(new Models.Property(CDX_PROPERTY.distroRelease, system.release));
    for (const pkg of report.packages) {
      const target = pkg.distro?.release === system.release ? components.get(pkg.purl) : undefined;
      if (target !== undefined) component.dependencies.add(target.bomRef);
    }
    return component;
  });
  if (subject.layers.length === 0 && images.length === 0) {
    const [only, ...more] = systems;
    if (only !== undefined && more.length === 0) {
      bom.metadata.component = only;
      return;
    }
    for (const system of systems) bom.components.add(system);
    return;
  }
  const [onlyImage, ...moreImages] = images;
  const image = onlyImage !== undefined && moreImages.length === 0 ? imageComponent(onlyImage, 'vigil:image') : new Models.Component(Enums.ComponentType.Container, 'container image', { bomRef: 'vigil:image' });
  if (moreImages.length > 0) {
    for (const [index, each] of images.entries()) {
      const component = imageComponent(each, `vigil:image:${index + 1}`);
      bom.components.add(component);
      image.dependencies.add(component.bomRef);
    }
  }
  for (const layer of subject.layers) image.properties.add(new Models.Property(CDX_PROPERTY.layer, layer));
  for (const system of systems) {
    bom.components.add(system);
    image.dependencies.add(system.bomRef);
  }
  for (const pkg of report.packages) {
    const target = pkg.distro === undefined && pkg.location.layer !== undefined ? components.get(pkg.purl) : undefined;
    if (target !== undefined) image.dependencies.add(target.bomRef);
  }
  bom.metadata.component = image;
}

/**
 * A container component named by what the image records: repository (or `container image` when it
 * names none) and tag. The purl only from a manifest digest (see imagePurl).
 */
function imageComponent(image: AuditedImage, bomRef: string): Models.Component {
  const purl = imagePurl(image);
  const component = new Models.Component(Enums.ComponentType.Container, image.repository ?? 'container image', {
    bomRef,
    ...(image.tag === undefined ? {} : { version: image.tag }),
  });
  if (purl !== undefined) component.purl = purl;
  for (const reference of image.references) component.properties.add(new Models.Property(CDX_PROPERTY.imageReference, reference));
  if (image.digest !== undefined) {
    component.properties.add(new Models.Property(image.digestOf === 'config' ? CDX_PROPERTY.imageId : CDX_PROPERTY.imageManifestDigest, image.digest));
    const sha256 = /^sha256:([a-f0-9]{64})$/.exec(image.digest)?.[1];
    // The hash of the component is that of its manifest; an image id is the configuration's, not the image's.
    if (sha256 !== undefined && image.digestOf === 'manifest') component.hashes.set(Enums.HashAlgorithm['SHA-256'], sha256);
  }
  return component;
}

function systemRef(system: AuditedSystem): string {
  return `vigil:os:${system.release}`;
}

/** The dependency graph: each package's edges (by purl), where its dependency file records them. */
function addDependencies(report: Report, components: ReadonlyMap<string, Models.Component>): void {
  for (const pkg of report.packages) {
    const component = components.get(pkg.purl);
    if (!component) continue;
    for (const purl of pkg.dependsOn) {
      const target = components.get(purl);
      if (target && purl !== pkg.purl) component.dependencies.add(target.bomRef);
    }
  }
}

function buildVulnerabilities(report: Report, components: ReadonlyMap<string, Models.Component>): Models.Vulnerability.Vulnerability[] {
  // One entry per advisory group and analysis: findings of one flaw whose gate decisions differ
  // (an exception for one package version only) need separate analyses, hence separate entries.
  const groups = new Map<string, { finding: ReportFinding; analysis: VexAnalysis; purls: Set<string> }>();
  for (const finding of report.findings) {
    const analysis = vexAnalysis(finding);
    const key = `${finding.id}\u0000${JSON.stringify(analysis)}`;
    const group = groups.get(key) ?? { finding, analysis, purls: new Set<string>() };
    group.purls.add(finding.package.purl);
    groups.set(key, group);
  }
  const { Vulnerability } = Models;
  return [...groups.values()].map(({ finding, analysis, purls }) => {
    const source = new Vulnerability.Source({ name: 'OSV', url: advisoryUrl(finding.id) });
    const vulnerability = new Vulnerability.Vulnerability({
      // A stable bom-ref (the library would make a random one): the group's first fingerprint.
      bomRef: `${finding.id}/${finding.fingerprint}`,
      id: finding.id,
      source,
      description: finding.summary,
      ...(finding.fixed.length > 0 ? { recommendation: `Upgrade ${finding.package.name} to ${finding.fixed.join(' or ')}` } : {}),
      ...(finding.published === null ? {} : { published: new Date(finding.published) }),
      ...(finding.modified === null ? {} : { updated: new Date(finding.modified) }),
      analysis: new Vulnerability.Analysis({
        state: analysis.state,
        ...(analysis.justification === undefined ? {} : { justification: analysis.justification }),
        response: new Enums.Vulnerability.AnalysisResponseRepository(analysis.response),
        detail: analysis.detail,
      }),
    });
    for (const alias of finding.aliases) {
      vulnerability.references.add(new Vulnerability.Reference(alias, new Vulnerability.Source({ name: 'OSV', url: advisoryUrl(alias) })));
    }
    vulnerability.ratings.add(buildRating(finding, source));
    if (finding.distro !== undefined) {
      const { distro } = finding;
      vulnerability.properties.add(new Models.Property(CDX_PROPERTY.unfixed, String(distro.unfixed)));
      if (distro.urgency !== undefined) vulnerability.properties.add(new Models.Property(CDX_PROPERTY.urgency, distro.urgency));
      if (distro.noDsa !== undefined) vulnerability.properties.add(new Models.Property(CDX_PROPERTY.noDsa, distro.noDsa));
    }
    for (const purl of purls) {
      const component = components.get(purl);
      if (component) vulnerability.affects.add(new Vulnerability.Affect(component.bomRef));
    }
    return vulnerability;
  });
}

/** https://osv.dev shows every id it imports (GHSA, PYSEC, CVE...). */
function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

function buildRating(finding: ReportFinding, source: Models.Vulnerability.Source): Models.Vulnerability.Rating {
  const { severity } = finding;
  return new Models.Vulnerability.Rating({
    source,
    severity: SEVERITY[severity.level],
    method: ratingMethod(severity.vector),
    ...(severity.score === undefined ? {} : { score: severity.score }),
    ...(severity.vector === undefined ? {} : { vector: severity.vector }),
    ...(severity.score === undefined && severity.vector === undefined && severity.source !== 'none' ? { justification: `from ${severity.source}` } : {}),
  });
}

const SEVERITY: Readonly<Record<ReportFinding['severity']['level'], Enums.Vulnerability.Severity>> = {
  critical: Enums.Vulnerability.Severity.Critical,
  high: Enums.Vulnerability.Severity.High,
  medium: Enums.Vulnerability.Severity.Medium,
  low: Enums.Vulnerability.Severity.Low,
  none: Enums.Vulnerability.Severity.None,
  unknown: Enums.Vulnerability.Severity.Unknown,
};

/** The CVSS version from the vector's prefix (v2 vectors have none); `other` for a bare label. */
function ratingMethod(vector: string | undefined): Enums.Vulnerability.RatingMethod {
  const { RatingMethod } = Enums.Vulnerability;
  if (vector === undefined) return RatingMethod.Other;
  if (vector.startsWith('CVSS:4.0/')) return RatingMethod.CVSSv4;
  if (vector.startsWith('CVSS:3.1/')) return RatingMethod.CVSSv31;
  if (vector.startsWith('CVSS:3.0/')) return RatingMethod.CVSSv3;
  if (/^\(?AV:[LAN]\/AC:[HML]\/Au:/.test(vector)) return RatingMethod.CVSSv2;
  return RatingMethod.Other;
}
