import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import type { Inventory, Package } from '../../../src/core/types.js';
import { releaseSupportOf } from '../../../src/ecosystems/debian/release-support.js';
import { releaseSupportFindings } from '../../../src/match/release-support.js';
import { evaluateGate } from '../../../src/policy/gate.js';
import { parsePolicyText } from '../../../src/policy/policy-file.js';
import { planRemediation } from '../../../src/remediation/plan.js';
import type { AdvisoryStore, StoreStatus } from '../../../src/advisories/types.js';

const deb = (name: string, release: string, file = 'var/lib/dpkg/status'): Package => ({
  key: name,
  ecosystem: release.startsWith('Ubuntu') ? 'Ubuntu' : 'Debian',
  name,
  version: '1.0-1',
  purl: `pkg:deb/debian/${name}@1.0-1`,
  location: { file, line: 1 },
  direct: 'unknown',
  scopes: [],
  dependsOn: [],
  distro: { release, sourceName: name, sourceVersion: '1.0-1' },
});

const inventory = (packages: Package[]): Inventory => ({ root: '/', sources: [], packages, skipped: [] });

const emptyStore: AdvisoryStore = {
  advisoriesFor: () => Promise.resolve(new Map()),
  recordsByAlias: () => Promise.resolve([]),
  firstSeen: () => Promise.resolve(new Map()),
  status: () => Promise.resolve({} as StoreStatus),
  close: () => undefined,
};

// Dates: distro-info-data 0.66+deb13u2, debian.csv eol-lts and ubuntu.csv eol.
describe('release end of security support', () => {
  it.each([
    ['Debian:11', '2026-08-31T12:00:00Z', false],
    ['Debian:11', '2026-09-01T00:00:00Z', true],
    ['Debian:10', '2026-12-01T00:00:00Z', true],
    ['Debian:12', '2026-12-01T00:00:00Z', false],
    ['Ubuntu:20.04:LTS', '2025-05-30T00:00:00Z', true],
    ['Ubuntu:22.04:LTS', '2026-12-01T00:00:00Z', false],
    ['Ubuntu:22.04', '2027-06-02T00:00:00Z', true],
    ['Ubuntu:25.04', '2026-01-16T00:00:00Z', true],
  ] as const)('%s at %s: ended %s', (release, on, ended) => {
    expect(releaseSupportOf(release, new Date(on))?.ended).toBe(ended);
  });

  it('knows no release it has no date for', () => {
    expect(releaseSupportOf('Debian:14', new Date('2026-12-01T00:00:00Z'))).toBeUndefined();
    expect(releaseSupportOf('Ubuntu:Pro:20.04:LTS', new Date('2026-12-01T00:00:00Z'))).toBeUndefined();
  });

  it('is one finding per ended database, on base-files, failing the gate unless the policy says warn', async () => {
    const packages = [deb('bash', 'Debian:10'), deb('base-files', 'Debian:10'), deb('curl', 'Debian:12', 'other/var/lib/dpkg/status')];
    const findings = releaseSupportFindings(inventory(packages), new Date('2026-12-01T00:00:00Z'));
    expect(findings.map((finding) => [finding.id, finding.package.name, finding.package.location.file, finding.severity.level])).toEqual([
      ['VIGIL-EOS-Debian:10', 'base-files', 'var/lib/dpkg/status', 'high'],
    ]);
    expect(findings[0]?.summary).toBe('Debian 10 (buster) reached the end of its security support on 2024-06-30: no advisory covers its 2 packages any more; rebuild on a supported release');
    const clock = fixedClock('2026-12-01T00:00:00Z');
    expect(evaluateGate(findings, parsePolicyText('fail_on: high\n', 'vigil.yaml'), clock).counts.blocking).toBe(1);
    const warned = evaluateGate(findings, parsePolicyText('fail_on: high\nos_packages:\n  end_of_support: warn\n', 'vigil.yaml'), clock);
    expect([warned.counts.blocking, warned.counts.belowThreshold]).toEqual([0, 1]);
    const plan = await planRemediation({ findings, store: emptyStore, policy: parsePolicyText('fail_on: high\n', 'vigil.yaml'), clock });
    expect(plan.remediations[0]?.decision).toMatchObject({ kind: 'no-fix', reason: 'Debian:10 is past its end of security support' });
  });

  it('takes an exception by its id', () => {
    const findings = releaseSupportFindings(inventory([deb('base-files', 'Debian:10')]), new Date('2026-12-01T00:00:00Z'));
    const policy = parsePolicyText(
      'fail_on: high\nexceptions:\n  - id: VIGIL-EOS-Debian:10\n    reason: replaced by the bookworm image in January\n    approved_by: ops\n    issue: https://example.invalid/2\n    expires_on: 2026-12-31\n',
      'vigil.yaml',
    );
    expect(evaluateGate(findings, policy, fixedClock('2026-12-01T00:00:00Z')).counts.allowedByException).toBe(1);
  });
});
