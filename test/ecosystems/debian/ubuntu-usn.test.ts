// Done-when check of issue 13: the real Ubuntu 22.04 root filesystem of ../shared/corpus/debian
// against the 10 real USN records of ../shared/osv/debian/records. The expected findings were
// worked out apart from vigil: each record's Ubuntu:22.04:LTS entries (all `introduced: 0`, one
// `fixed`) against each installed package whose *source* package they name, with the source
// version from the status file's `Source: name (version)` (else the binary version) ordered by
// `dpkg --compare-versions` (dpkg 1.21.22). Binaries built from one source are one finding each.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../../src/advisories/import.js';
import { openAdvisoryStore } from '../../../src/advisories/store/sqlite-store.js';
import type { AdvisoryStore } from '../../../src/advisories/types.js';
import { fixedClock } from '../../../src/core/clock.js';
import type { Inventory } from '../../../src/core/types.js';
import { buildInventory } from '../../../src/inventory/build-inventory.js';
import { matchInventory } from '../../../src/match/match.js';
import { DEFAULT_POLICY } from '../../../src/policy/default-policy.js';
import { planRemediation } from '../../../src/remediation/plan.js';
import { shared } from '../../helpers/shared-data.js';

const rootfs = shared('corpus', 'debian', 'ubuntu2204-jammy-rootfs');
const records = shared('osv', 'debian', 'records', 'canonical-ubuntu-security-notices');

/** [record, binary package, binary version, source package, source version, fixed source version] */
const EXPECTED: readonly (readonly [string, string, string, string, string, string])[] = [
  ['USN-8091-1', 'bsdutils', '1:2.37.2-4ubuntu3.4', 'util-linux', '2.37.2-4ubuntu3.4', '2.37.2-4ubuntu3.5'],
  ['USN-8091-1', 'libblkid1', '2.37.2-4ubuntu3.4', 'util-linux', '2.37.2-4ubuntu3.4', '2.37.2-4ubuntu3.5'],
  ['USN-8091-1', 'libmount1', '2.37.2-4ubuntu3.4', 'util-linux', '2.37.2-4ubuntu3.4', '2.37.2-4ubuntu3.5'],
  ['USN-8091-1', 'libsmartcols1', '2.37.2-4ubuntu3.4', 'util-linux', '2.37.2-4ubuntu3.4', '2.37.2-4ubuntu3.5'],
  ['USN-8091-1', 'libuuid1', '2.37.2-4ubuntu3.4', 'util-linux', '2.37.2-4ubuntu3.4', '2.37.2-4ubuntu3.5'],
  ['USN-8091-1', 'mount', '2.37.2-4ubuntu3.4', 'util-linux', '2.37.2-4ubuntu3.4', '2.37.2-4ubuntu3.5'],
  ['USN-8091-1', 'util-linux', '2.37.2-4ubuntu3.4', 'util-linux', '2.37.2-4ubuntu3.4', '2.37.2-4ubuntu3.5'],
  ['USN-8193-1', 'libcap2', '1:2.44-1ubuntu0.22.04.2', 'libcap2', '1:2.44-1ubuntu0.22.04.2', '1:2.44-1ubuntu0.22.04.3'],
  ['USN-8229-1', 'sed', '4.8-1ubuntu2', 'sed', '4.8-1ubuntu2', '4.8-1ubuntu2.1'],
  ['USN-8319-1', 'libgcrypt20', '1.9.4-3ubuntu3', 'libgcrypt20', '1.9.4-3ubuntu3', '1.9.4-3ubuntu3.2'],
  ['USN-8362-1', 'liblzma5', '5.2.5-2ubuntu1', 'xz-utils', '5.2.5-2ubuntu1', '5.2.5-2ubuntu1.1'],
  ['USN-8477-1', 'tar', '1.34+dfsg-1ubuntu0.1.22.04.2', 'tar', '1.34+dfsg-1ubuntu0.1.22.04.2', '1.34+dfsg-1ubuntu0.1.22.04.3'],
  ['USN-8512-1', 'gzip', '1.10-4ubuntu4.1', 'gzip', '1.10-4ubuntu4.1', '1.10-4ubuntu4.2'],
];

/**
 * The records that name an installed source package for 22.04 but do not apply: the installed
 * version is the fixed one (libtasn1-6 4.18.0-4ubuntu0.1, libcap2 1:2.44-1ubuntu0.22.04.2 for
 * USN-7287-1, dpkg 1.21.1ubuntu2.6).
 */
const NOT_AFFECTED = ['USN-7275-1', 'USN-7287-1', 'USN-7768-1'];

let dir: string;
let store: AdvisoryStore;
let inventory: Inventory;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-usn-'));
  const storePath = path.join(dir, 'advisories.db');
  await importAdvisories({ storePath, inputs: [records], clock: fixedClock('2026-12-01T00:00:00Z') });
  store = openAdvisoryStore(storePath);
  inventory = await buildInventory({ paths: [rootfs], root: rootfs });
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Ubuntu 22.04 root filesystem against 10 real USN records', () => {
  it('reads the dpkg database of a plain root filesystem directory with its release', () => {
    expect(inventory.sources.map((source) => [source.path, source.format, source.related])).toEqual([
      ['var/lib/dpkg/status', 'dpkg-status', ['usr/lib/os-release']],
    ]);
    // dpkg-query --admindir=var/lib/dpkg -W lists 117 entries, all "ii".
    expect(inventory.packages).toHaveLength(117);
    expect(new Set(inventory.packages.map((pkg) => pkg.distro?.release))).toEqual(new Set(['Ubuntu:22.04:LTS']));
    expect(inventory.skipped).toEqual([]);
  });

  it('finds exactly the advisories dpkg --compare-versions says apply, matched by source package', async () => {
    const { findings, warnings } = await matchInventory(inventory, store);
    expect(warnings).toEqual([]);
    const got = findings.map((finding) => [
      finding.records.join(','),
      finding.package.name,
      finding.package.version,
      finding.package.distro?.sourceName,
      finding.package.distro?.sourceVersion,
      finding.fixed.join(','),
    ]);
    expect(got.sort()).toEqual(EXPECTED.map((row) => [...row]).sort());
    const matched = new Set(findings.flatMap((finding) => finding.records));
    for (const id of NOT_AFFECTED) expect(matched.has(id)).toBe(false);
    for (const finding of findings) {
      expect(finding.package.location.file).toBe('var/lib/dpkg/status');
      expect(finding.package.purl).toMatch(/^pkg:deb\/ubuntu\/[^@]+@[^?]+\?arch=[a-z0-9]+&distro=ubuntu-22\.04$/);
    }
  });

  // Each record's Ubuntu priority and CVSS vectors sit per CVE in the 22.04 entry's
  // database_specific.cves_map (USN-8091-1 lists none there: its severity stays unknown, which the
  // gate treats as high). Priorities read from the records with jq.
  it('keeps Ubuntu priorities and scores from the entries\' CVE maps', async () => {
    const { findings } = await matchInventory(inventory, store);
    const byRecord = new Map(findings.map((finding) => [finding.id, finding]));
    const priorities = Object.fromEntries([...byRecord].map(([id, finding]) => [id, finding.distro?.urgency ?? null]));
    expect(priorities).toEqual({
      'USN-8091-1': null,
      'USN-8193-1': 'medium',
      'USN-8229-1': 'medium',
      'USN-8319-1': 'medium',
      'USN-8362-1': 'low',
      'USN-8477-1': 'medium',
      'USN-8512-1': 'medium',
    });
    for (const finding of findings) expect(finding.distro?.unfixed).toBe(false);
    expect(byRecord.get('USN-8091-1')?.severity.level).toBe('unknown');
    for (const [id, finding] of byRecord) if (id !== 'USN-8091-1') expect(finding.severity.vector, id).toMatch(/^CVSS:/);
  });

  // The plan takes each fix from the 22.04 entry of the source package (not 24.04's or 26.04's,
  // which the same records list), as a security update to pick up by rebuilding.
  it('plans each fix as the release\'s security update of the source package', async () => {
    const { findings } = await matchInventory(inventory, store);
    const plan = await planRemediation({ findings, store, policy: DEFAULT_POLICY, clock: fixedClock('2026-12-01T00:00:00Z') });
    const got = plan.remediations.map((remediation) => [remediation.package.name, remediation.fix.target, remediation.fix.upgrade, remediation.decision.kind]);
    expect(got.sort()).toEqual(EXPECTED.map(([, binary, , , , fixed]) => [binary, fixed, 'security-update', 'allowed']).sort());
    for (const remediation of plan.remediations) expect(remediation.decision.rule.text).toMatch(/security update of Ubuntu:22\.04:LTS .*apt-get upgrade/);
  });

  it.skipIf(spawnSync('dpkg', ['--version']).status !== 0)('agrees with dpkg --compare-versions for every 22.04 entry of the records', () => {
    const lt = (a: string, b: string): boolean => spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0;
    const status = readFileSync(path.join(rootfs, 'var/lib/dpkg/status'), 'utf8');
    const sources = new Map<string, string>();
    for (const stanza of status.split('\n\n')) {
      const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
      const version = /^Version: (\S+)$/m.exec(stanza)?.[1];
      if (name === undefined || version === undefined) continue;
      const source = /^Source: (\S+)(?: \((\S+)\))?$/m.exec(stanza);
      sources.set(name, `${source?.[1] ?? name} ${source?.[2] ?? version}`);
    }
    const applying: string[] = [];
    for (const file of readdirSync(records).filter((name) => name.endsWith('.json'))) {
      const record = JSON.parse(readFileSync(path.join(records, file), 'utf8')) as {
        id: string;
        affected: { package: { ecosystem: string; name: string }; ranges: { events: Record<string, string>[] }[] }[];
      };
      for (const entry of record.affected.filter((affected) => affected.package.ecosystem === 'Ubuntu:22.04:LTS')) {
        const fixed = entry.ranges.flatMap((range) => range.events.flatMap((event) => (event['fixed'] === undefined ? [] : [event['fixed']])));
        for (const [binary, source] of sources) {
          const [sourceName = '', sourceVersion = ''] = source.split(' ');
          if (sourceName === entry.package.name && fixed.some((version) => lt(sourceVersion, version))) applying.push(`${record.id} ${binary}`);
        }
      }
    }
    expect(applying.sort()).toEqual(EXPECTED.map(([id, binary]) => `${id} ${binary}`).sort());
  });
});
