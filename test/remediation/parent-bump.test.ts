import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { makePackage } from '../../src/ecosystems/package.js';
import { matchInventory } from '../../src/match/match.js';
import { DEFAULT_POLICY } from '../../src/policy/policy-file.js';
import type { Policy } from '../../src/policy/types.js';
import { planFixes } from '../../src/remediation/apply/plan-fixes.js';
import { createNpmRegistry } from '../../src/remediation/npm-registry.js';
import { parentBumpsToApply, parsePathStep, type ParentBumps } from '../../src/remediation/parent-bump.js';
import { planRemediation, type Remediation } from '../../src/remediation/plan.js';
import { buildPlanJson, renderPlanMarkdown, renderPlanTable, type PlanDocument } from '../../src/remediation/render-plan.js';
import { advisory, memoryStore } from './builders.js';
import { packument, packumentPath, startFakeNpmRegistry, type FakeNpmRegistry } from '../helpers/fake-npm-registry.js';

// Facts, written as small packuments: `child` publishes 1.0.0, 1.1.0, 2.0.0 and 2.1.0, and
// GHSA-test-chld-0001 affects every version below 2.0.0. `kid` publishes 1.0.0 and 1.0.1, and
// GHSA-test-kidd-0001 affects 1.0.0 only. The parents below declare ranges for them.
const packuments: Record<string, unknown> = {
  child: packument('child', { '1.0.0': {}, '1.1.0': {}, '2.0.0': {}, '2.1.0': {} }),
  kid: packument('kid', { '1.0.0': {}, '1.0.1': {} }),
  // A minor release moves to child ^2: a minor bump.
  alpha: packument('alpha', { '1.0.0': { child: '^1.0.0' }, '1.1.0': { child: '^1.0.0' }, '1.2.0': { child: '^2.0.0' }, '2.0.0': { child: '^2.0.0' } }),
  // Only the next major moves to child ^2.
  beta: packument('beta', { '1.0.0': { child: '^1.0.0' }, '1.5.0': { child: '^1.1.0' }, '2.0.0': { child: '^2.0.0' } }),
  // No version admits child 2.
  gamma: packument('gamma', { '1.0.0': { child: '^1.0.0' }, '1.1.0': { child: '~1.1.0' } }),
  // Through an intermediate: mid 2.0.0 admits child ^2, but delta's every version requires mid ^1.
  delta: packument('delta', { '1.0.0': { mid: '^1.0.0' }, '1.1.0': { mid: '^1.0.0' } }),
  epsilon: packument('epsilon', { '1.0.0': { mid: '^1.0.0' }, '1.1.0': { mid: '^2.0.0' } }),
  mid: packument('mid', { '1.0.0': { child: '^1.0.0' }, '1.1.0': { child: '^1.0.0' }, '2.0.0': { child: '^2.0.0' } }),
  // A patch release drops the dependency.
  eta: packument('eta', { '1.0.0': { child: '^1.0.0' }, '1.0.5': {} }),
  // The locked range already admits a fixed kid: the lockfile is merely stale.
  zeta: packument('zeta', { '1.0.0': { kid: '^1.0.0' } }),
  // Reaches child only as a peer: not a declared dependency.
  theta: packument('theta', { '1.0.0': {} }),
  // Two direct parents of the same child, both with allowed bumps.
  iota: packument('iota', { '3.0.0': { child: '^1.0.0' }, '3.0.1': { child: '>=1.0.0 <3.0.0' } }),
};

const store = memoryStore([
  advisory('GHSA-test-chld-0001', 'npm', 'child', [[{ introduced: '0' }, { fixed: '2.0.0' }]]),
  advisory('GHSA-test-kidd-0001', 'npm', 'kid', [[{ introduced: '0' }, { fixed: '1.0.1' }]]),
]);
const clock = fixedClock('2026-11-22T00:00:00Z');
const withFrameworks = (frameworks: string[]): Policy => ({ ...DEFAULT_POLICY, maintenance: { ...DEFAULT_POLICY.maintenance, frameworks } });

let fake: FakeNpmRegistry;
beforeAll(async () => {
  fake = await startFakeNpmRegistry(Object.fromEntries(Object.entries(packuments).map(([name, body]) => [packumentPath(name), body])));
});
afterAll(() => fake.close());

/** Plans the last package of each path (`name@version` steps, direct first) locked in one package-lock.json. */
async function planPaths(paths: readonly (readonly string[])[], options: { policy?: Policy; registry?: boolean } = {}): Promise<Remediation> {
  const file = { file: 'package-lock.json', line: 1 };
  const edges = new Map<string, Set<string>>();
  const direct = new Set(paths.map((path) => path[0] ?? ''));
  for (const path of paths) {
    path.forEach((step, index) => {
      const set = edges.get(step) ?? new Set<string>();
      const next = path[index + 1];
      if (next !== undefined) set.add(next);
      edges.set(step, set);
    });
  }
  const packages = [...edges].map(([step, dependsOn]) => {
    const { name, version } = parsePathStep(step) ?? { name: step, version: '0.0.0' };
    return makePackage({ ecosystem: 'npm', name, version, location: file, direct: direct.has(step), key: step, dependsOn: [...dependsOn] });
  });
  const { findings } = await matchInventory({ root: '.', sources: [], skipped: [], packages }, store);
  const registry = createNpmRegistry({ registry: fake.url, timeoutMs: 2000 });
  const plan = await planRemediation({
    findings,
    store,
    policy: options.policy ?? DEFAULT_POLICY,
    clock,
    ...(options.registry === false ? {} : { versions: registry, npmMetadata: registry }),
  });
  expect(plan.remediations).toHaveLength(1);
  return plan.remediations[0] as Remediation;
}

interface Case {
  readonly name: string;
  readonly paths: readonly (readonly string[])[];
  readonly policy?: Policy;
  readonly registry?: boolean;
  readonly want: ParentBumps | Record<string, unknown>;
  /** Texts of the path plans, in path order (shortest first). */
  readonly texts?: readonly RegExp[];
  /** What `vigil fix` installs instead of the override, or undefined when the override stays. */
  readonly apply?: readonly string[];
}

const cases: Case[] = [
  {
    name: 'a bump within the allowed class: alpha 1.0.0 -> 1.2.0 (minor) resolves child 2.1.0',
    paths: [['alpha@1.0.0', 'child@1.0.0']],
    want: {
      evaluated: true,
      paths: [{ kind: 'bump', parent: 'alpha', from: '1.0.0', to: '1.2.0', upgrade: 'minor', decision: 'allowed', rule: { dependency: 'direct', limit: 'major' }, resolved: ['alpha@1.2.0', 'child@2.1.0'] }],
    },
    texts: [/^bump alpha 1\.0\.0 -> 1\.2\.0 \(minor, allowed: direct dependencies take at most major upgrades in a patch release\): it resolves alpha@1\.2\.0 > child@2\.1\.0$/],
    apply: ['alpha@1.2.0'],
  },
  {
    name: 'a bump only as a major, held in a patch release (beta is a framework)',
    paths: [['beta@1.0.0', 'child@1.0.0']],
    policy: withFrameworks(['beta']),
    want: { evaluated: true, paths: [{ kind: 'bump', parent: 'beta', from: '1.0.0', to: '2.0.0', upgrade: 'major', decision: 'held', rule: { dependency: 'framework', limit: 'minor' } }] },
    texts: [/^bump beta 1\.0\.0 -> 2\.0\.0 \(major, held: framework dependencies take at most minor upgrades in a patch release\)/],
  },
  {
    name: 'the same major is allowed in a minor release',
    paths: [['beta@1.0.0', 'child@1.0.0']],
    policy: { ...withFrameworks(['beta']), maintenance: { ...withFrameworks(['beta']).maintenance, release: 'minor' } },
    want: { evaluated: true, paths: [{ kind: 'bump', parent: 'beta', to: '2.0.0', upgrade: 'major', decision: 'allowed' }] },
    apply: ['beta@2.0.0'],
  },
  {
    name: 'no version of the parent admits a fixed child: blocked by the parent, named with its range',
    paths: [['gamma@1.0.0', 'child@1.0.0']],
    want: {
      evaluated: true,
      paths: [{ kind: 'blocked', parent: 'gamma', from: '1.0.0', blockedBy: { name: 'gamma', version: '1.1.0', dependency: 'child', range: '~1.1.0', resolves: '1.1.0' } }],
    },
    texts: [/^no version of gamma from 1\.0\.0 to 1\.1\.0 resolves to a fixed child: blocked by gamma 1\.1\.0, which requires child@~1\.1\.0 \(resolves to 1\.1\.0\)$/],
  },
  {
    name: 'through an intermediate: mid 2.0.0 would admit a fixed child, delta blocks it',
    paths: [['delta@1.0.0', 'mid@1.0.0', 'child@1.0.0']],
    want: {
      evaluated: true,
      paths: [
        {
          kind: 'blocked',
          parent: 'delta',
          blockedBy: { name: 'delta', version: '1.1.0', dependency: 'mid', range: '^1.0.0', resolves: '1.1.0' },
          intermediate: { name: 'mid', from: '1.0.0', to: '2.0.0' },
        },
      ],
    },
    texts: [/blocked by delta 1\.1\.0, which requires mid@\^1\.0\.0 \(resolves to 1\.1\.0\); mid 2\.0\.0 would admit a fixed child, but delta's range keeps it out$/],
  },
  {
    name: 'through an intermediate: epsilon 1.1.0 brings mid 2.0.0 and a fixed child',
    paths: [['epsilon@1.0.0', 'mid@1.0.0', 'child@1.0.0']],
    want: { evaluated: true, paths: [{ kind: 'bump', parent: 'epsilon', to: '1.1.0', upgrade: 'minor', resolved: ['epsilon@1.1.0', 'mid@2.0.0', 'child@2.1.0'] }] },
    apply: ['epsilon@1.1.0'],
  },
  {
    name: 'a patch release that drops the dependency fixes the path',
    paths: [['eta@1.0.0', 'child@1.0.0']],
    want: { evaluated: true, paths: [{ kind: 'bump', parent: 'eta', to: '1.0.5', upgrade: 'patch', decision: 'allowed', resolved: ['eta@1.0.5'] }] },
    texts: [/: eta@1\.0\.5 no longer depends on child$/],
    apply: ['eta@1.0.5'],
  },
  {
    name: 'the locked range already admits a fixed version: no bump, refresh the lockfile',
    paths: [['zeta@1.0.0', 'kid@1.0.0']],
    want: { evaluated: true, paths: [{ kind: 'in-range', parent: 'zeta', from: '1.0.0', resolved: ['zeta@1.0.0', 'kid@1.0.1'] }] },
    texts: [/^zeta 1\.0\.0 already admits a fixed kid \(zeta@1\.0\.0 > kid@1\.0\.1\): refresh the lockfile$/],
  },
  {
    name: 'a parent that does not declare the child (a peer edge): unknown, not guessed',
    paths: [['theta@1.0.0', 'child@1.0.0']],
    want: { evaluated: true, paths: [{ kind: 'unknown', parent: 'theta' }] },
    texts: [/^not evaluated: theta@1\.0\.0 does not list child in its dependencies/],
  },
  {
    name: 'two paths: one bump is allowed, the other blocked: the override stays the fix',
    paths: [
      ['alpha@1.0.0', 'child@1.0.0'],
      ['gamma@1.0.0', 'child@1.0.0'],
    ],
    want: { evaluated: true, paths: [{ kind: 'bump', parent: 'alpha' }, { kind: 'blocked', parent: 'gamma' }] },
  },
  {
    name: 'two paths, both with allowed bumps: both parents installed',
    paths: [
      ['alpha@1.0.0', 'child@1.0.0'],
      ['iota@3.0.0', 'child@1.0.0'],
    ],
    want: { evaluated: true, paths: [{ kind: 'bump', parent: 'alpha', to: '1.2.0' }, { kind: 'bump', parent: 'iota', to: '3.0.1', upgrade: 'patch' }] },
    apply: ['alpha@1.2.0', 'iota@3.0.1'],
  },
  {
    name: 'offline (no registry): not evaluated, and the override is the fix',
    paths: [['alpha@1.0.0', 'child@1.0.0']],
    registry: false,
    want: { evaluated: false, reason: 'no registry consulted' },
  },
];

describe('parent bumps of an indirect npm package', () => {
  it.each(cases)('$name', async ({ paths, policy, registry, want, texts, apply }) => {
    const remediation = await planPaths(paths, { ...(policy ? { policy } : {}), ...(registry === undefined ? {} : { registry }) });
    expect(remediation.parentBumps).toMatchObject(want);
    if (texts) {
      const plans = remediation.parentBumps?.evaluated === true ? remediation.parentBumps.paths : [];
      expect(plans).toHaveLength(texts.length);
      texts.forEach((pattern, index) => {
        expect(plans[index]?.text).toMatch(pattern);
      });
    }
    // The override stays in the plan as the fallback, whatever the parents allow.
    expect(remediation.override).toMatchObject({ kind: 'npm-overrides', file: 'package.json' });
    expect(parentBumpsToApply(remediation.parentBumps)?.map((parent) => `${parent.name}@${parent.to}`)).toEqual(apply);

    // vigil fix: the parents' install command when every path has an allowed bump, else the override.
    const fixes = planFixes({ remediations: [remediation], skipped: [], readText: () => '{\n  "name": "app"\n}\n' });
    const [step] = fixes.steps;
    if (apply) {
      expect(step).toMatchObject({ kind: 'parent-bump', command: `npm install ${apply.join(' ')}` });
      expect(fixes.changes).toEqual([]);
    } else {
      expect(step?.kind).toBe('override');
    }
  });
});

describe('rendering parent bumps', () => {
  const document = (remediation: Remediation): PlanDocument => ({
    plan: { remediations: [remediation] },
    versionSource: { kind: 'registry', url: fake.url },
    toolVersion: '0.0.0',
    generatedAt: '2026-11-22T00:00:00.000Z',
  });

  it('table and Markdown show each path, the override as the fallback of an allowed bump', async () => {
    const remediation = await planPaths([['alpha@1.0.0', 'child@1.0.0']]);
    for (const text of [renderPlanTable(document(remediation)), renderPlanMarkdown(document(remediation))]) {
      expect(text).toContain('parent bump, path alpha@1.0.0 > child@1.0.0: bump alpha 1.0.0 -> 1.2.0 (minor, allowed');
      expect(text).toContain('fallback: package.json: "overrides": { "child": "2.0.0" }');
    }
  });

  it('a blocked path names the blocker and keeps the override as the fix', async () => {
    const text = renderPlanTable(document(await planPaths([['gamma@1.0.0', 'child@1.0.0']])));
    expect(text).toMatch(/^ {2}parent bump, path gamma@1\.0\.0 > child@1\.0\.0: no version of gamma .* blocked by gamma 1\.1\.0, which requires child@~1\.1\.0/m);
    expect(text).toMatch(/^ {2}package\.json: "overrides": \{ "child": "2\.0\.0" \}$/m);
  });

  it('offline: the plan says parent bumps were not evaluated', async () => {
    const remediation = await planPaths([['alpha@1.0.0', 'child@1.0.0']], { registry: false });
    expect(renderPlanTable(document(remediation))).toMatch(/^ {2}parent bumps: not evaluated \(no registry consulted\)$/m);
  });

  it('JSON carries parentBumps (added in plan schema 1.1.0)', async () => {
    const json = buildPlanJson(document(await planPaths([['alpha@1.0.0', 'child@1.0.0']]))) as {
      schemaVersion: string;
      remediations: { parentBumps: ParentBumps }[];
    };
    expect(json.schemaVersion).toBe('1.2.0');
    expect(json.remediations[0]?.parentBumps).toMatchObject({ evaluated: true, paths: [{ kind: 'bump', parent: 'alpha', to: '1.2.0' }] });
  });
});
