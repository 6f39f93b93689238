import { createHash } from 'node:crypto';
import type { Finding, Inventory, Package } from '../core/types.js';
import { releaseSupportOf } from '../ecosystems/debian/release-support.js';

/** Id prefix of a release's end-of-support finding: `VIGIL-EOS-Debian:10`. */
export const END_OF_SUPPORT_PREFIX = 'VIGIL-EOS-';

/** Id prefix of a source package's limited security support: `VIGIL-LIMITED-Debian:12:binutils`. */
export const LIMITED_SUPPORT_PREFIX = 'VIGIL-LIMITED-';

/** Whether a finding is a release's (or a package's) end of security support rather than an advisory. */
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
  findings.push(...packageSupportFindings(inventory));
  return findings;
}

/**
 * One finding per dpkg database and source package that Debian's debian-security-support lists
 * (read from the same root file system) flag: support ended, a high finding
 * `VIGIL-EOS-Debian:12:<source>` like a release's end; support limited, a low one
 * `VIGIL-LIMITED-Debian:12:<source>` (shown, below the default threshold).
 */
function packageSupportFindings(inventory: Inventory): Finding[] {
  const groups = new Map<string, Package[]>();
  for (const pkg of inventory.packages) {
    const support = pkg.distro?.securitySupport;
    if (pkg.distro === undefined || support === undefined) continue;
    const key = `${pkg.location.layer ?? ''}\u0000${pkg.location.file}\u0000${pkg.distro.release}\u0000${pkg.distro.sourceName}`;
    const list = groups.get(key);
    if (list) list.push(pkg);
    else groups.set(key, [pkg]);
  }
  const findings: Finding[] = [];
  for (const packages of groups.values()) {
    const holder = packages.at(0);
    const distro = holder?.distro;
    const support = distro?.securitySupport;
    if (holder === undefined || distro === undefined || support === undefined) continue;
    const ended = support.status === 'ended';
    const id = `${ended ? END_OF_SUPPORT_PREFIX : LIMITED_SUPPORT_PREFIX}${distro.release}:${distro.sourceName}`;
    const binaries = packages.map((pkg) => pkg.name).join(', ');
    const summary = ended
      ? `security support for ${distro.sourceName} (${binaries}) in ${distro.release} ended${support.endedOn === undefined ? '' : ` on ${support.endedOn}`}${support.lastVersion === undefined ? '' : ` at ${support.lastVersion}`}${support.note === undefined ? '' : `: ${support.note}`}`
      : `security support for ${distro.sourceName} (${binaries}) in ${distro.release} is limited${support.note === undefined ? '' : `: ${support.note}`}`;
    findings.push({
      id,
      aliases: [],
      records: [],
      package: holder,
      paths: [],
      summary,
      severity: { level: ended ? 'high' : 'low', source: 'vigil:debian-security-support' },
      fixed: [],
      published: support.endedOn === undefined ? undefined : `${support.endedOn}T23:59:59Z`,
      firstSeen: undefined,
      modified: undefined,
      fingerprint: createHash('sha256').update([holder.location.file, distro.release, id].join('\u0000')).digest('hex').slice(0, 32),
    });
  }
  return findings;
}
