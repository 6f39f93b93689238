// Debian's own classification of OS-package advisories, kept on the finding and weighed by
// `os_packages.unfixed_fail_on`. The records follow osv.dev's DEBIAN-CVE shape (its converter's
// `ecosystem_specific.urgency`, ../shared/osv/debian/tracker/osv.dev/converter-parts) and
// Canonical's (`severity: [{type: "Ubuntu", score}]`).
import { describe, expect, it } from 'vitest';
import type { OsvRange, OsvRecord } from '../../src/advisories/osv.js';
import type { AdvisoryStore, StoreStatus } from '../../src/advisories/types.js';
import { fixedClock } from '../../src/core/clock.js';
import type { Inventory, Package } from '../../src/core/types.js';
import { matchInventory } from '../../src/match/match.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { parsePolicyText } from '../../src/policy/policy-file.js';
import { planRemediation } from '../../src/remediation/plan.js';

function memoryStore(records: OsvRecord[]): AdvisoryStore {
  return {
    advisoriesFor(ecosystem, names) {
      const found = new Map<string, OsvRecord[]>();
      for (const name of names) {
        const hits = records.filter((record) => (record.affected ?? []).some((entry) => entry.package?.ecosystem.split(':')[0] === ecosystem && entry.package.name === name));
        if (hits.length > 0) found.set(name, hits);
      }
      return Promise.resolve(found);
    },
    recordsByAlias: () => Promise.resolve([]),
    firstSeen: () => Promise.resolve(new Map()),
    status: () => Promise.resolve({} as StoreStatus),
    close: () => undefined,
  };
}

const HIGH_CVSS = [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }];

/** A DEBIAN-CVE record for one source package of Debian 12 (and a Debian 11 entry that must not count). */
function debianRecord(id: string, source: string, urgency: string, events: OsvRange['events']): OsvRecord {
  return {
    id,
    modified: '2026-11-01T00:00:00Z',
    severity: HIGH_CVSS,
    affected: [
      { package: { ecosystem: 'Debian:12', name: source }, ranges: [{ type: 'ECOSYSTEM', events }], ecosystem_specific: { urgency } },
      { package: { ecosystem: 'Debian:11', name: source }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], ecosystem_specific: { urgency: 'high' } },
    ],
  };
}

const debPackage = (name: string, version: string, source = name): Package => ({
  key: name,
  ecosystem: 'Debian',
  name,
  version,
  purl: `pkg:deb/debian/${name}@${version}?distro=debian-12`,
  location: { file: 'var/lib/dpkg/status', line: 1 },
  direct: 'unknown',
  scopes: [],
  dependsOn: [],
  distro: { release: 'Debian:12', sourceName: source, sourceVersion: version },
});

const records = [
  debianRecord('DEBIAN-CVE-2016-1585', 'apparmor', 'unimportant', [{ introduced: '0' }]),
  debianRecord('DEBIAN-CVE-2099-0001', 'glibc', 'high', [{ introduced: '0' }]),
  debianRecord('DEBIAN-CVE-2099-0002', 'curl', 'low**', [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u8' }]),
  debianRecord('DEBIAN-CVE-2099-0003', 'tar', 'not yet assigned', [{ introduced: '0' }]),
];
const inventory: Inventory = {
  root: '/',
  sources: [],
  skipped: [],
  packages: [debPackage('libapparmor1', '3.0.8-3', 'apparmor'), debPackage('libc6', '2.36-9+deb12u4', 'glibc'), debPackage('curl', '7.88.1-10+deb12u5'), debPackage('tar', '1.34+dfsg-1.2+deb12u1')],
};

describe('Debian classification of OS-package findings', () => {
  it('keeps the release entry urgency and whether a fix exists', async () => {
    const { findings } = await matchInventory(inventory, memoryStore(records));
    expect(findings.map((finding) => [finding.id, finding.package.name, finding.distro])).toEqual([
      ['DEBIAN-CVE-2099-0002', 'curl', { urgency: 'low', unfixed: false }],
      ['DEBIAN-CVE-2016-1585', 'libapparmor1', { urgency: 'unimportant', unfixed: true }],
      ['DEBIAN-CVE-2099-0001', 'libc6', { urgency: 'high', unfixed: true }],
      ['DEBIAN-CVE-2099-0003', 'tar', { urgency: 'not yet assigned', unfixed: true }],
    ]);
  });

  it('takes Ubuntu priorities from the record severity', async () => {
    const usn = {
      id: 'USN-0000-1',
      modified: '2026-11-01T00:00:00Z',
      severity: [...HIGH_CVSS, { type: 'Ubuntu', score: 'medium' }],
      affected: [{ package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'gzip' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.10-4ubuntu4.2' }] }] }],
    } as OsvRecord;
    const gzip: Package = { ...debPackage('gzip', '1.10-4ubuntu4.1'), ecosystem: 'Ubuntu', distro: { release: 'Ubuntu:22.04:LTS', sourceName: 'gzip', sourceVersion: '1.10-4ubuntu4.1' } };
    const { findings } = await matchInventory({ ...inventory, packages: [gzip] }, memoryStore([usn]));
    expect(findings.map((finding) => finding.distro)).toEqual([{ urgency: 'medium', unfixed: false }]);
  });

  it('without os_packages, every high finding blocks, and the reason shows the urgency', async () => {
    const { findings } = await matchInventory(inventory, memoryStore(records));
    const gate = evaluateGate(findings, parsePolicyText('fail_on: high\n', 'vigil.yaml'), fixedClock('2026-12-01T00:00:00Z'));
    expect(gate.counts.blocking).toBe(4);
    expect([...gate.decisions.values()].map((decision) => decision.reason)).toContain('critical (Debian urgency unimportant; no fix in Debian:12 yet) at or above fail_on high');
  });

  it('with unfixed_fail_on medium: unfixed unimportant does not block, unfixed high and unassigned do, a fixable low still does, an exception allows', async () => {
    const { findings } = await matchInventory(inventory, memoryStore(records));
    const policy = parsePolicyText(
      [
        'fail_on: high',
        'os_packages:',
        '  unfixed_fail_on: medium',
        'exceptions:',
        '  - id: DEBIAN-CVE-2099-0003',
        '    reason: tar is not run on untrusted archives in this image',
        '    approved_by: security-team',
        '    issue: https://example.invalid/1',
        '    expires_on: 2026-12-20',
        '',
      ].join('\n'),
      'vigil.yaml',
    );
    const gate = evaluateGate(findings, policy, fixedClock('2026-12-01T00:00:00Z'));
    const kinds = Object.fromEntries(findings.map((finding) => [finding.package.name, gate.decisions.get(finding)?.kind]));
    expect(kinds).toEqual({ libapparmor1: 'below-threshold', libc6: 'blocking', curl: 'blocking', tar: 'allowed-by-exception' });
    const apparmor = findings.find((finding) => finding.package.name === 'libapparmor1');
    expect(apparmor && gate.decisions.get(apparmor)?.reason).toBe(
      'critical (Debian urgency unimportant; no fix in Debian:12 yet): unfixed, and its urgency is below os_packages.unfixed_fail_on medium',
    );
  });

  it('plans an unfixed OS-package finding as wait, change the base image or accept', async () => {
    const { findings } = await matchInventory(inventory, memoryStore(records));
    const clock = fixedClock('2026-12-01T00:00:00Z');
    const plan = await planRemediation({ findings, store: memoryStore(records), policy: parsePolicyText('fail_on: high\n', 'vigil.yaml'), clock });
    const glibc = plan.remediations.find((remediation) => remediation.package.name === 'libc6');
    expect(glibc?.decision).toMatchObject({ kind: 'no-fix', reason: 'Debian:12 has no fixed glibc package yet' });
    expect(glibc?.decision.kind === 'no-fix' ? glibc.decision.alternative.text : '').toMatch(/^wait for Debian:12's fix .*change the base image/);
    const curl = plan.remediations.find((remediation) => remediation.package.name === 'curl');
    expect([curl?.fix.target, curl?.fix.upgrade, curl?.decision.kind]).toEqual(['7.88.1-10+deb12u8', 'security-update', 'allowed']);
  });

  it('refuses an unknown urgency threshold', () => {
    expect(() => parsePolicyText('os_packages:\n  unfixed_fail_on: unimportant\n', 'vigil.yaml')).toThrow();
  });
});
