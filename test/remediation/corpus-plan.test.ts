// Done-when check of the remediation issue: on the real corpus lockfiles and the real advisory
// snapshot, every fix target the plan proposes is verified by re-running the matcher on a
// one-package inventory at that version: no advisory of the store affects it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import type { AdvisoryStore } from '../../src/advisories/types.js';
import { fixedClock } from '../../src/core/clock.js';
import type { Inventory } from '../../src/core/types.js';
import { makePackage } from '../../src/ecosystems/package.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { matchInventory } from '../../src/match/match.js';
import { DEFAULT_POLICY } from '../../src/policy/policy-file.js';
import { planRemediation, type Remediation } from '../../src/remediation/index.js';
import { shared } from '../helpers/shared-data.js';

const clock = fixedClock('2024-10-11T00:00:00Z');

const lockfiles = [
  ['nautobot poetry.lock', ['corpus', 'pypi', 'nautobot', 'poetry.lock']],
  ['pdm pdm.lock', ['corpus', 'pypi', 'pdm', 'pdm.lock']],
  ['tock Pipfile.lock', ['corpus', 'pypi', 'tock', 'Pipfile.lock']],
  ['treeherder requirements/common.txt', ['corpus', 'pypi', 'treeherder', 'requirements', 'common.txt']],
  ['cyberchef package-lock.json', ['corpus', 'npm', 'cyberchef', 'package-lock.json']],
  ['insomnia package-lock.json', ['corpus', 'npm', 'insomnia', 'package-lock.json']],
  ['treeherder yarn.lock (v1)', ['corpus', 'npm', 'treeherder', 'yarn.lock']],
  ['vue pnpm-lock.yaml (v9)', ['corpus', 'npm', 'vue-core-pnpm9', 'pnpm-lock.yaml']],
] as const;

let work: string;
let store: AdvisoryStore;
const plans = new Map<string, readonly Remediation[]>();
const totals = { packages: 0, targets: 0, verified: 0 };

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-remediation-'));
  const storePath = path.join(work, 'store.db');
  await importAdvisories({ storePath, inputs: [shared('osv', 'pypi-pysec', 'vulns'), shared('osv', 'ghsa-subset', 'advisories')], clock });
  store = openAdvisoryStore(storePath);
}, 120_000);

afterAll(() => {
  store.close();
  rmSync(work, { recursive: true, force: true });
});

/** A one-package inventory: the package moved to `version`, nothing else. */
function movedTo(remediation: Remediation, version: string): Inventory {
  const { ecosystem, name, location } = remediation.package;
  return { root: '.', sources: [], skipped: [], packages: [makePackage({ ecosystem, name, version, location, direct: true })] };
}

describe('remediation plans for the corpus lockfiles', () => {
  it.each(lockfiles)('%s: every fix target is clean when matched again', async (label, parts) => {
    const file = shared(...parts);
    const inventory = await buildInventory({ paths: [file], root: path.dirname(file) });
    const { findings } = await matchInventory(inventory, store);
    const { remediations } = await planRemediation({ findings, store, policy: DEFAULT_POLICY, clock });
    plans.set(label, remediations);

    // One entry per vulnerable package, holding every finding of it.
    const vulnerable = new Set(findings.map((f) => `${f.package.location.file} ${f.package.name.toLowerCase()} ${f.package.version}`));
    expect(remediations).toHaveLength(vulnerable.size);
    expect(remediations.reduce((sum, r) => sum + r.findings.length, 0)).toBe(findings.length);

    for (const remediation of remediations) {
      totals.packages += 1;
      expect(remediation.fix.basis).toBe('advisories');
      const { target } = remediation.fix;
      if (target === undefined) {
        expect(remediation.decision.kind).toBe('no-fix');
        continue;
      }
      totals.targets += 1;
      const again = await matchInventory(movedTo(remediation, target), store);
      expect(again.findings.map((f) => `${remediation.package.name}@${target} ${f.id}`)).toEqual([]);
      totals.verified += 1;
      if (remediation.decision.kind === 'allowed') expect(remediation.proposed).toBe(target);
    }
  });

  it('planned real vulnerable packages and verified every target (the check is not vacuous)', () => {
    expect(totals.packages).toBeGreaterThan(20);
    expect(totals.targets).toBeGreaterThan(20);
    expect(totals.verified).toBe(totals.targets);
  });

  it("pdm's idna 3.6 goes to 3.7 (PYSEC-2024-60: introduced 0.1, fixed 3.7), a minor upgrade allowed for an indirect dependency", () => {
    const idna = plans.get('pdm pdm.lock')?.find((r) => r.package.name === 'idna');
    expect(idna?.package.version).toBe('3.6');
    expect(idna?.fix).toMatchObject({ target: '3.7', upgrade: 'minor', basis: 'advisories' });
    expect(idna?.ids).toContain('PYSEC-2024-60');
    expect(idna?.decision.kind).toBe('allowed');
  });

  it("tock's django 3.2.16 (a framework) clears all nine of its advisories in the 3.2 line: 3.2.25, a patch upgrade", () => {
    const django = plans.get('tock Pipfile.lock')?.find((r) => r.package.name === 'django');
    expect(django?.package.version).toBe('3.2.16');
    expect(django?.dependency).toBe('framework');
    expect(django?.fix).toMatchObject({ target: '3.2.25', upgrade: 'patch' });
    expect(django?.ids).toHaveLength(9);
    expect(django?.decision.kind).toBe('allowed');
  });

  it("cyberchef's cookie 0.4.2 -> 0.7.0 is major under the caret rule; path-to-regexp 0.1.7 -> 0.1.10 is a patch", () => {
    const plan = plans.get('cyberchef package-lock.json') ?? [];
    expect(plan.find((r) => r.package.name === 'cookie')?.fix).toMatchObject({ target: '0.7.0', upgrade: 'major' });
    expect(plan.find((r) => r.package.name === 'path-to-regexp')?.fix).toMatchObject({ target: '0.1.10', upgrade: 'patch' });
  });

  it("an indirect npm package gets an override in package.json: cyberchef's semver 5.7.1 -> 5.7.2", () => {
    const semver = plans.get('cyberchef package-lock.json')?.find((r) => r.package.name === 'semver');
    expect(semver?.dependency).toBe('indirect');
    expect(semver?.override).toEqual({ kind: 'npm-overrides', file: 'package.json', text: '"overrides": { "semver": "5.7.2" }' });
    expect(semver?.paths.length).toBeGreaterThan(0);
  });

  it("on an ltm branch treeherder's django 4.0.10 -> 4.1.13 (minor) is held; the 4.0 line has no fix, so backport", async () => {
    const file = shared('corpus', 'pypi', 'treeherder', 'requirements', 'common.txt');
    const inventory = await buildInventory({ paths: [file], root: path.dirname(file) });
    const findings = (await matchInventory(inventory, store)).findings.filter((f) => f.package.name.toLowerCase() === 'django');
    const policy = { ...DEFAULT_POLICY, maintenance: { ...DEFAULT_POLICY.maintenance, branch: 'ltm' as const } };
    const [django] = (await planRemediation({ findings, store, policy, clock })).remediations;
    expect(django?.fix).toMatchObject({ target: '4.1.13', upgrade: 'minor' });
    expect(django?.decision.kind).toBe('held');
    if (django?.decision.kind !== 'held') return;
    expect(django.decision.rule.limit).toBe('patch');
    expect(django.decision.alternative.upgradeWithin).toBeUndefined();
    expect(django.decision.alternative.text).toMatch(/^backport or selective patch/);
    expect(django.decision.alternative.exceptionTemplates.map((t) => t.id).sort()).toEqual([...django.ids].sort());
    expect(django.proposed).toBeUndefined();
  });
});
