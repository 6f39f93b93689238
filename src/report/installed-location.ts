import type { SourceLocation } from '../core/types.js';
import type { Report, ReportPackage } from './report.js';

/** Hex digits of a layer digest shown where space is short (as `docker history` and Trivy's table do). */
export const SHORT_DIGEST_HEX = 12;

/** `sha256:aed824276830fa0c...` -> `sha256:aed824276830`; a digest of another form is kept whole. */
export function shortDigest(digest: string): string {
  const match = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-f0-9]+)$/.exec(digest);
  if (!match) return digest;
  const [, algorithm = '', hex = ''] = match;
  return hex.length <= SHORT_DIGEST_HEX ? digest : `${algorithm}:${hex.slice(0, SHORT_DIGEST_HEX)}`;
}

/** Whether the location is a file inside a container image (its path is then the path in the image). */
export function isInImage(location: SourceLocation): location is SourceLocation & { readonly layer: string } {
  return location.layer !== undefined;
}

/** `file:line`, or `file` without a line. */
export function fileAndLine(location: SourceLocation): string {
  return location.line === undefined ? location.file : `${location.file}:${location.line}`;
}

/**
 * Where a package is, in words: `/var/lib/dpkg/status:1548 in layer sha256:aed824276830` for a
 * file in an image (short digest unless `full`), `file:line` elsewhere.
 */
export function describeLocation(location: SourceLocation, options: { readonly full?: boolean } = {}): string {
  const place = fileAndLine(location);
  if (!isInImage(location)) return place;
  return `${place} in layer ${options.full === true ? location.layer : shortDigest(location.layer)}`;
}

/** A Linux distribution release the audited packages come from (`Debian:12`), told by its dpkg packages. */
export interface AuditedSystem {
  /** The OSV ecosystem of the release, as the packages carry it (`Debian:12`, `Ubuntu:22.04:LTS`). */
  readonly release: string;
  /** Lower-case distribution id, as os-release's ID and purl namespaces write it (`debian`, `ubuntu`). */
  readonly vendor: string;
  /** The release's version (`12`, `22.04`). */
  readonly version: string;
  /** Installed packages of the release in the report. */
  readonly packages: number;
}

/**
 * What the report's packages say was audited: the layers of an image that hold them (in the
 * order the report first meets them; an image's layers that hold no package are not known here)
 * and the distribution releases of its dpkg packages. An audit of lockfiles has neither.
 */
export interface AuditedSubject {
  /** Digests of the image layers that hold an audited package or a skipped entry. */
  readonly layers: readonly string[];
  readonly systems: readonly AuditedSystem[];
}

export function describeSubject(report: Pick<Report, 'packages' | 'skipped'>): AuditedSubject {
  const layers = new Set<string>();
  for (const item of [...report.packages, ...report.skipped]) if (item.location.layer !== undefined) layers.add(item.location.layer);
  const systems = new Map<string, AuditedSystem>();
  for (const pkg of report.packages) {
    const system = systemOf(pkg);
    if (system === undefined) continue;
    const seen = systems.get(system.release);
    systems.set(system.release, { ...system, packages: (seen?.packages ?? 0) + 1 });
  }
  return { layers: [...layers], systems: [...systems.values()].sort((a, b) => a.release.localeCompare(b.release)) };
}

function systemOf(pkg: ReportPackage): Omit<AuditedSystem, 'packages'> | undefined {
  if (pkg.distro === undefined) return undefined;
  const [base, version] = pkg.distro.release.split(':');
  if (base === undefined || base === '' || version === undefined || version === '') return undefined;
  return { release: pkg.distro.release, vendor: base.toLowerCase(), version };
}
