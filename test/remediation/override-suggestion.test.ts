import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import type { EcosystemId, Package } from '../../src/core/types.js';
import { makePackage } from '../../src/ecosystems/package.js';
import { DEFAULT_POLICY } from '../../src/policy/policy-file.js';
import { suggestOverride, type OverrideSuggestion } from '../../src/remediation/override-suggestion.js';
import { planRemediation } from '../../src/remediation/plan.js';
import { advisory, memoryStore } from './builders.js';
import { matchInventory } from '../../src/match/match.js';

function locked(ecosystem: EcosystemId, name: string, file: string): Package {
  return makePackage({ ecosystem, name, version: '1.0.0', location: { file, line: 1 }, direct: false });
}

const cases: { name: string; input: Package; want: OverrideSuggestion | undefined }[] = [
  { name: 'package-lock.json: npm overrides', input: locked('npm', 'semver', 'web/package-lock.json'), want: { kind: 'npm-overrides', file: 'package.json', text: '"overrides": { "semver": "1.0.1" }' } },
  { name: 'yarn.lock: resolutions', input: locked('npm', '@babel/traverse', 'yarn.lock'), want: { kind: 'yarn-resolutions', file: 'package.json', text: '"resolutions": { "@babel/traverse": "1.0.1" }' } },
  { name: 'pnpm-lock.yaml: pnpm.overrides', input: locked('npm', 'axios', 'pnpm-lock.yaml'), want: { kind: 'pnpm-overrides', file: 'package.json', text: '"pnpm": { "overrides": { "axios": "1.0.1" } }' } },
  { name: 'poetry.lock: a pip constraints line', input: locked('PyPI', 'idna', 'poetry.lock'), want: { kind: 'pip-constraint', file: 'constraints.txt', text: 'idna>=1.0.1' } },
  { name: 'an SBOM: nothing to override', input: locked('npm', 'axios', 'bom.cdx.json'), want: undefined },
];

describe('suggestOverride', () => {
  it.each(cases)('$name', ({ input, want }) => {
    expect(suggestOverride(input, '1.0.1')).toEqual(want);
  });

  it('a transitive fix is planned through an override, with the dependency path', async () => {
    // webpack-dev-server -> express -> body-parser 1.19.2; GHSA-qwcr-r2fm-qrc7 is fixed in 1.20.3.
    const store = memoryStore([advisory('GHSA-qwcr-r2fm-qrc7', 'npm', 'body-parser', [[{ introduced: '0' }, { fixed: '1.20.3' }]])]);
    const file = { file: 'package-lock.json', line: 1 };
    const packages = [
      makePackage({ ecosystem: 'npm', name: 'webpack-dev-server', version: '4.15.1', location: file, direct: true, key: 'node_modules/webpack-dev-server', dependsOn: ['node_modules/express'] }),
      makePackage({ ecosystem: 'npm', name: 'express', version: '4.17.3', location: file, direct: false, key: 'node_modules/express', dependsOn: ['node_modules/body-parser'] }),
      makePackage({ ecosystem: 'npm', name: 'body-parser', version: '1.19.2', location: file, direct: false, key: 'node_modules/body-parser' }),
    ];
    const { findings } = await matchInventory({ root: '.', sources: [], skipped: [], packages }, store);
    const [plan] = (await planRemediation({ findings, store, policy: DEFAULT_POLICY, clock: fixedClock('2026-11-22T00:00:00Z') })).remediations;
    expect(plan).toMatchObject({ dependency: 'indirect', proposed: '1.20.3', fix: { target: '1.20.3', upgrade: 'minor' }, decision: { kind: 'allowed' } });
    expect(plan?.paths).toEqual([['webpack-dev-server@4.15.1', 'express@4.17.3', 'body-parser@1.19.2']]);
    expect(plan?.override).toEqual({ kind: 'npm-overrides', file: 'package.json', text: '"overrides": { "body-parser": "1.20.3" }' });
  });
});
