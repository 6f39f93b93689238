import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { DEFAULT_POLICY } from '../../src/policy/policy-file.js';
import { createNpmRegistry, packumentUrl } from '../../src/remediation/npm-registry.js';
import { planRemediation } from '../../src/remediation/plan.js';
import { advisory, findingsFor, memoryStore } from './builders.js';
import { startFakeNpmRegistry, type FakeNpmRegistry } from '../helpers/fake-npm-registry.js';

// Real published versions of semver and @babel/traverse (a subset), written as small packuments.
const packuments: Record<string, unknown> = {
  '/semver': {
    name: 'semver',
    versions: Object.fromEntries(['5.7.1', '5.7.2', '6.3.0', '6.3.1', '7.5.1', '7.5.2', '7.5.4'].map((v) => [v, { name: 'semver', version: v }])),
  },
  '/@babel%2ftraverse': {
    name: '@babel/traverse',
    versions: {
      '7.23.2': { name: '@babel/traverse', version: '7.23.2', dependencies: { '@babel/types': '^7.23.0', debug: '^4.1.0' } },
    },
  },
  '/fsevents-user': {
    name: 'fsevents-user',
    versions: { '1.0.0': { name: 'fsevents-user', version: '1.0.0', dependencies: { chokidar: '^3.5.0' }, optionalDependencies: { fsevents: '~2.3.2' } } },
  },
  '/broken': { name: 'broken' },
};

let fake: FakeNpmRegistry;
let registry: string;
let requests: readonly string[];

beforeAll(async () => {
  fake = await startFakeNpmRegistry(packuments);
  registry = fake.url;
  requests = fake.requests;
});

afterAll(() => fake.close());

describe('packumentUrl', () => {
  it.each([
    ['semver', 'https://registry.npmjs.org/semver'],
    ['@babel/traverse', 'https://registry.npmjs.org/@babel%2ftraverse'],
  ])('%s -> %s', (name, want) => {
    expect(packumentUrl('https://registry.npmjs.org/', name).toLowerCase()).toBe(want);
  });
});

describe('createNpmRegistry', () => {
  it('lists published versions, once per package (cached)', async () => {
    const source = createNpmRegistry({ registry });
    const before = requests.length;
    expect(await source.publishedVersions('npm', 'semver')).toEqual(['5.7.1', '5.7.2', '6.3.0', '6.3.1', '7.5.1', '7.5.2', '7.5.4']);
    await source.publishedVersions('npm', 'semver');
    expect(requests.length - before).toBe(1);
  });

  it('reads a scoped package and the dependencies of one version', async () => {
    const source = createNpmRegistry({ registry });
    expect(await source.dependenciesOf('@babel/traverse', '7.23.2')).toEqual({ '@babel/types': '^7.23.0', debug: '^4.1.0' });
    expect(await source.dependenciesOf('@babel/traverse', '0.0.1')).toBeUndefined();
  });

  it('counts optionalDependencies as dependencies (npm installs them)', async () => {
    const source = createNpmRegistry({ registry });
    expect(await source.dependenciesOf('fsevents-user', '1.0.0')).toEqual({ chokidar: '^3.5.0', fsevents: '~2.3.2' });
  });

  it('does not ask about other ecosystems', async () => {
    const before = requests.length;
    expect(await createNpmRegistry({ registry }).publishedVersions('PyPI', 'semver')).toBeUndefined();
    expect(requests.length).toBe(before);
  });

  it.each([
    { name: 'not found', pkg: 'left-pad-gone', message: 'HTTP 404' },
    { name: 'no versions object', pkg: 'broken', message: 'not a packument (no "versions" object)' },
    { name: 'no answer in time', pkg: 'slow', message: 'no answer within 200 ms' },
  ])('$name: undefined and a reported problem, never a throw', async ({ pkg, message }) => {
    const reported: string[] = [];
    const source = createNpmRegistry({ registry, timeoutMs: 200, onProblem: (problem) => reported.push(problem.message) });
    expect(await source.publishedVersions('npm', pkg)).toBeUndefined();
    expect(reported).toEqual([message]);
    expect(source.problems.map((problem) => problem.name)).toEqual([pkg]);
  });

  it('an unreachable registry is a problem, not a crash', async () => {
    // A port just closed on 127.0.0.1: the connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const source = createNpmRegistry({ registry: `http://127.0.0.1:${port}` });
    expect(await source.publishedVersions('npm', 'semver')).toBeUndefined();
    expect(source.problems).toHaveLength(1);
  });
});

describe('planning with the registry', () => {
  // GHSA-c2qf-rxjj-qqgw: semver ReDoS, fixed in 5.7.2, 6.3.1 and 7.5.2.
  const store = memoryStore([
    advisory('GHSA-c2qf-rxjj-qqgw', 'npm', 'semver', [
      [{ introduced: '0' }, { fixed: '5.7.2' }],
      [{ introduced: '6.0.0' }, { fixed: '6.3.1' }],
      [{ introduced: '7.0.0' }, { fixed: '7.5.2' }],
    ]),
  ]);

  it('chooses among published versions and says so; falls back to the advisories when unreachable', async () => {
    const findings = await findingsFor(store, [{ ecosystem: 'npm', name: 'semver', version: '7.5.1', direct: false }]);
    const clock = fixedClock('2026-11-22T00:00:00Z');
    const online = await planRemediation({ findings, store, policy: DEFAULT_POLICY, clock, versions: createNpmRegistry({ registry }) });
    expect(online.remediations[0]?.fix).toMatchObject({ target: '7.5.2', basis: 'registry', upgrade: 'patch' });

    const offline = createNpmRegistry({ registry: `${registry}nowhere/`, timeoutMs: 200 });
    const fallback = await planRemediation({ findings, store, policy: DEFAULT_POLICY, clock, versions: offline });
    expect(fallback.remediations[0]?.fix).toMatchObject({ target: '7.5.2', basis: 'advisories' });
    expect(offline.problems).toHaveLength(1);
  });
});
