import { createHash } from 'node:crypto';
import type { Finding, Inventory, Package } from '../core/types.js';
import { releaseSupportOf } from '../ecosystems/debian/release-support.js';

/** Id prefix of a release's end-of-support finding: `VIGIL-EOS-Debian:10`. */
export const END_OF_SUPPORT_PREFIX = 'VIGIL-EOS-';

/** Whether a finding is a release's end of security support rather than an advisory. */
export function isEndOfSupportFinding(finding: Finding): boolean {
  return finding.id.startsWith(END_OF_SUPPORT_PREFIX);
}

/**
 * One finding per dpkg database whose release is past its end of security support at `on`
 * (issue 13, item 5): no advisory covers its packages any more, so a clean audit of them would
 * mislead. It is attached to `base-files`, the package that installs the release's os-release
 * (else the database's first package), is high severity (the gate's `os_packages.end_of_support`
 * may make it a warning) and takes exceptions by its id like any finding.
 */
export function releaseSupportFindings(inventory: Inventory, on: Date): Finding[] {
  const byFile = new Map<string, Package[]>();
  for (const pkg of inventory.packages) {
    if (pkg.distro === undefined) continue;
    const key = `${pkg.location.layer ?? ''}\u0000${pkg.location.file}\u0000${pkg.distro.release}`;
    const list = byFile.get(key);
    if (list) list.push(pkg);
    else byFile.set(key, [pkg]);
  }
  const findings: Finding[] = [];
  for (const packages of byFile.values()) {
    const holder = packages.find((pkg) => pkg.name === 'base-files') ?? packages.at(0);
    if (holder === undefined) continue;
    const release = holder.distro?.release ?? '';
    const support = releaseSupportOf(release, on);
    if (support === undefined || !support.ended) continue;
    const id = `${END_OF_SUPPORT_PREFIX}${release}`;
    const name = `${release.split(':')[0] ?? release} ${release.split(':')[1] ?? ''} (${support.codename})`;
    findings.push({
      id,
      aliases: [],
      records: [],
      package: holder,
      paths: [],
      summary: `${name} reached the end of its security support on ${support.lastDay}: no advisory covers its ${packages.length} packages any more; rebuild on a supported release`,
      severity: { level: 'high', source: 'vigil:end-of-support (distro-info-data)' },
      fixed: [],
      published: `${support.lastDay}T23:59:59Z`,
      firstSeen: undefined,
      modified: undefined,
      fingerprint: createHash('sha256').update([holder.location.file, release, id].join('\u0000')).digest('hex').slice(0, 32),
    });
  }
  return findings;
}
