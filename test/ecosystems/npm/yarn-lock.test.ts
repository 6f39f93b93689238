import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LockfileParseError } from '../../../src/core/errors.js';
import { isMissingEntriesNote } from '../../../src/ecosystems/missing-entries.js';
import { yarnLockParser } from '../../../src/ecosystems/npm/parsers.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';
import { describeByKey, describeSkipped, nameVersions } from './summarize.js';

/** Descriptors of every entry header (unindented lines ending in `:`), read plainly from the text. */
function headerDescriptors(text: string): { headers: number; descriptors: Set<string> } {
  const headers = text.split('\n').filter((line) => /^[^\s#].*:$/.test(line) && !line.startsWith('__metadata'));
  const descriptors = new Set(headers.flatMap((line) => line.slice(0, -1).split(', ').map((part) => part.replace(/^"|"$/g, ''))));
  return { headers: headers.length, descriptors };
}

function readJson(path: string): Record<string, Record<string, string> | undefined> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string> | undefined>;
}

describe('yarn.lock v1: the corpus (treeherder)', () => {
  const path = shared('corpus/npm/treeherder/yarn.lock');

  it('one package per entry; direct = package.json dependencies found in the lockfile', async () => {
    const text = readFileSync(path, 'utf8');
    const { headers, descriptors } = headerDescriptors(text);
    const manifest = readJson(shared('corpus/npm/treeherder/package.json'));
    const asked = ['dependencies', 'devDependencies'].flatMap((field) => Object.entries(manifest[field] ?? {}));
    const locked = new Set(asked.filter(([name, range]) => descriptors.has(`${name}@${range}`)).map(([name]) => name));

    const result = await parseFile(yarnLockParser, path);

    expect(result.packages).toHaveLength(headers);
    expect(result.skipped).toEqual([]);
    expect(result.related).toEqual(['package.json']);
    expect(new Set(result.packages.filter((pkg) => pkg.direct === true).map((pkg) => pkg.name))).toEqual(locked);
  });

  it('known entries: prod wins over dev, dev-only subtrees are dev, edges follow ranges', async () => {
    const result = await parseFile(yarnLockParser, path);
    const byKey = describeByKey(result.packages);
    // "@babel/eslint-parser" is in both dependencies (7.18.9, locked) and devDependencies (7.11.5).
    expect(byKey['@babel/eslint-parser@7.18.9']).toBe('@babel/eslint-parser@7.18.9 L89 direct=true []');
    expect(byKey['webpack@5.76.0']).toBe('webpack@5.76.0 L10219 direct=true [dev]');
    // lodash@4.17.21 satisfies eight ranges in one header; runtime packages need it.
    expect(byKey['lodash@4.17.21']).toBe('lodash@4.17.21 L6898 direct=true []');
    // "@ampproject/remapping@^2.1.0" -> 2.2.0, depending on "@jridgewell/gen-mapping" "^0.1.0".
    const remapping = result.packages.find((pkg) => pkg.key === '@ampproject/remapping@2.2.0');
    expect(remapping?.dependsOn).toContain('@jridgewell/gen-mapping@0.1.1');
  });
});

describe('yarn.lock Berry: the corpus (jest)', () => {
  const path = shared('corpus/npm/jest/yarn.lock');

  it('one package per npm or patch resolution; workspaces are the project; the link is skipped', async () => {
    const text = readFileSync(path, 'utf8');
    const resolutions = [...text.matchAll(/^ {2}resolution: "(.*)"$/gm)].map((match) => match[1] ?? '');
    const protocol = (resolution: string): string => /^@?[^@]+@([a-z]+):/.exec(resolution)?.[1] ?? '?';
    const npmOrPatch = resolutions.filter((resolution) => ['npm', 'patch'].includes(protocol(resolution)));
    const links = resolutions.filter((resolution) => protocol(resolution) === 'link');
    expect(headerDescriptors(text).headers).toBe(resolutions.length);

    const result = await parseFile(yarnLockParser, path);

    expect(result.packages).toHaveLength(npmOrPatch.length);
    expect(result.skipped).toHaveLength(links.length);
    expect(describeSkipped(result.skipped)).toEqual(['eslint-plugin-local L9363: linked local directory (link:), not a registry package']);
  });

  it('known entries: resolutions, patches, workspace dependencies', async () => {
    const result = await parseFile(yarnLockParser, path);
    const byKey = describeByKey(result.packages);
    // Root devDependency "@babel/core": "^7.11.6", resolved to 7.22.11 (line 299).
    expect(byKey['@babel/core@npm:7.22.11']).toMatch(/^@babel\/core@7\.22\.11 L299 direct=true /);
    // Yarn wraps typescript in its built-in compat patch: the patched entry is what is installed.
    const patched = result.packages.find((pkg) => pkg.location.line === 20355);
    expect(patched).toMatchObject({ name: 'typescript', version: '5.2.2', direct: true });
    expect(patched?.dependsOn).toEqual(['typescript@npm:5.2.2']);
    // psl is patched through package.json "resolutions"; tough-cookie asks for "psl": "^1.1.33".
    const toughCookie = result.packages.find((pkg) => pkg.name === 'tough-cookie' && pkg.dependsOn.some((key) => key.startsWith('psl@')));
    expect(toughCookie?.dependsOn.find((key) => key.startsWith('psl@'))).toMatch(/^psl@patch:/);
    for (const pkg of result.packages) expect(pkg.key).not.toMatch(/@workspace:/);
  });
});

describe('yarn.lock: hand-written projects', () => {
  it('v1 with package.json: direct, dev reachability, optional, aliases', async () => {
    const result = await parseFile(yarnLockParser, fixture('npm/yarn-v1-project/yarn.lock'));
    expect(describeByKey(result.packages)).toEqual({
      'app-lib@1.4.0': 'app-lib@1.4.0 L5 direct=true []',
      'string-width@4.2.3': 'string-width@4.2.3 L11 direct=true []',
      'native-speedup@0.2.1': 'native-speedup@0.2.1 L15 direct=true [optional]',
      // Needed by app-lib (runtime) and test-runner (dev): runtime wins.
      'shared@2.1.0': 'shared@2.1.0 L19 direct=false []',
      'test-runner@3.2.0': 'test-runner@3.2.0 L23 direct=true [dev]',
      'test-only@1.0.5': 'test-only@1.0.5 L30 direct=false [dev]',
    });
    expect(result.packages.find((pkg) => pkg.name === 'test-runner')?.dependsOn).toEqual(['shared@2.1.0', 'test-only@1.0.5']);
    expect(result.related).toEqual(['package.json']);
  });

  it('Berry with a workspace, a patch, a link and a git dependency', async () => {
    const result = await parseFile(yarnLockParser, fixture('npm/yarn-berry-project/yarn.lock'));
    const patchKey = 'shared@patch:shared@npm%3A2.3.0#~builtin<compat/shared>::version=2.3.0&hash=abc123';
    expect(describeByKey(result.packages)).toEqual({
      // `version: 1.10.0` stays a string.
      'app-lib@npm:1.10.0': 'app-lib@1.10.0 L8 direct=true []',
      'shared@npm:2.3.0': 'shared@2.3.0 L33 direct=false []',
      [patchKey]: 'shared@2.3.0 L40 direct=false []',
      'test-runner@npm:3.2.0': 'test-runner@3.2.0 L46 direct=true [dev]',
      'test-only@npm:1.0.5': 'test-only@1.0.5 L56 direct=false [dev]',
    });
    expect(result.packages.find((pkg) => pkg.name === 'app-lib')?.dependsOn).toEqual([patchKey]);
    expect(result.packages.find((pkg) => pkg.key === patchKey)?.dependsOn).toEqual(['shared@npm:2.3.0']);
    expect(describeSkipped(result.skipped)).toEqual([
      'local-tool L27: linked local directory (link:), not a registry package',
      'widget L62: git dependency: no registry version to match',
    ]);
    expect(result.related).toEqual(['package.json']);
  });

  it.each([
    { name: 'merge conflict markers', file: 'conflict.v1.lock', line: 5, message: /merge conflict/ },
    { name: 'odd indentation', file: 'odd-indent.v1.lock', line: 6, message: /invalid yarn\.lock/ },
    // The library stops at the over-indented line 6 and returns only `a`: `b` (line 8) must not vanish.
    { name: 'a line indented deeper than its entry', file: 'over-indented.v1.lock', line: 8, message: /^entry "b@\^1\.0\.0" was not read/ },
    { name: 'unknown Berry metadata version', file: 'unknown-metadata-version.berry.lock', line: 3, message: /__metadata\.version 42/ },
  ])('$name: LockfileParseError at file:line', async ({ file, line, message }) => {
    const error = await parseFile(yarnLockParser, fixture('npm', file)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect((error as LockfileParseError).message).toMatch(message);
    expect((error as LockfileParseError).location).toMatchObject({ file, line });
  });
});

const OSV_SCANNER_YARN = 'fixtures/osv-scanner/pkg/lockfile/fixtures/yarn';
const SCALIBR_YARN = 'fixtures/osv-scalibr/extractor/filesystem/language/javascript/yarnlock/testdata';

describe('yarn.lock: osv-scanner and osv-scalibr fixtures', () => {
  it.each([
    { dir: OSV_SCANNER_YARN, file: 'empty.v1.lock', want: [], skipped: 0 },
    { dir: OSV_SCANNER_YARN, file: 'empty.v2.lock', want: [], skipped: 0 },
    { dir: OSV_SCANNER_YARN, file: 'metadata-only.v2.lock', want: [], skipped: 0 },
    { dir: OSV_SCANNER_YARN, file: 'one-package.v1.lock', want: ['balanced-match@1.0.2'], skipped: 0 },
    { dir: OSV_SCANNER_YARN, file: 'one-package.v2.lock', want: ['balanced-match@1.0.2'], skipped: 0 },
    { dir: OSV_SCANNER_YARN, file: 'two-packages.v1.lock', want: ['concat-map@0.0.1', 'concat-stream@1.6.2'], skipped: 0 },
    { dir: OSV_SCANNER_YARN, file: 'with-quotes.v1.lock', want: ['concat-map@0.0.1', 'concat-stream@1.6.2'], skipped: 0 },
    { dir: OSV_SCANNER_YARN, file: 'multiple-constraints.v1.lock', want: ['@babel/code-frame@7.12.13', 'domelementtype@1.3.1'], skipped: 0 },
    { dir: OSV_SCANNER_YARN, file: 'multiple-versions.v2.lock', want: ['debug@2.6.9', 'debug@3.2.7', 'debug@4.3.3'], skipped: 0 },
    {
      dir: OSV_SCANNER_YARN,
      file: 'with-aliases.v1.lock',
      want: ['@babel/helper-validator-identifier@7.22.20', 'ansi-regex@5.0.1', 'ansi-regex@6.0.1'],
      skipped: 0,
    },
    {
      dir: OSV_SCANNER_YARN,
      file: 'with-aliases.v2.lock',
      want: ['@babel/helper-validator-identifier@7.22.20', 'ansi-regex@5.0.1', 'ansi-regex@6.0.1'],
      skipped: 0,
    },
    { dir: OSV_SCANNER_YARN, file: 'with-prerelease.v2.lock', want: ['@nicolo-ribaudo/chokidar-2@2.1.8-no-fsevents.3', 'gensync@1.0.0-beta.2'], skipped: 0 },
    { dir: OSV_SCANNER_YARN, file: 'with-build-string.v1.lock', want: ['tslib@2.6.2'], skipped: 1 },
    // Every entry of these is git, a GitHub shorthand or a codeload archive.
    { dir: OSV_SCANNER_YARN, file: 'commits.v1.lock', want: [], skipped: 18 },
    { dir: OSV_SCANNER_YARN, file: 'commits.v2.lock', want: [], skipped: 7 },
    // filedep, other_package, sprintf-js (file:) and etag (link:) are local.
    { dir: OSV_SCANNER_YARN, file: 'files.v1.lock', want: ['etag@1.8.1', 'lodash@1.3.1'], skipped: 4 },
    { dir: OSV_SCANNER_YARN, file: 'files.v2.lock', want: [], skipped: 1 },
    // The header has no range (`balanced-match:`), the entry still locks a version.
    { dir: SCALIBR_YARN, file: 'no-version.v1.lock', want: ['balanced-match@1.0.2'], skipped: 0 },
    { dir: SCALIBR_YARN, file: 'exclude-root.v2.lock', want: ['ansi-regex@6.1.0'], skipped: 0 },
  ])('$file', async ({ dir, file, want, skipped }) => {
    const result = await parseFile(yarnLockParser, shared(dir, file));
    expect(nameVersions(result.packages)).toEqual(want);
    // These fixtures are cut down by hand: dependencies without entries of their own are one
    // note (tested in missing-entries.test.ts), not entries of the file.
    expect(result.skipped.filter((entry) => !isMissingEntriesNote(entry))).toHaveLength(skipped);
  });

  it('with-aliases.v2.lock: the workspace asks for all three, under their alias names', async () => {
    const result = await parseFile(yarnLockParser, shared(OSV_SCANNER_YARN, 'with-aliases.v2.lock'));
    expect(result.packages.map((pkg) => [pkg.key, pkg.direct])).toEqual([
      ['ansi-regex@npm:5.0.1', true],
      ['ansi-regex@npm:6.0.1', true],
      ['@babel/helper-validator-identifier@npm:7.22.20', true],
    ]);
  });

  it('files and git entries say why they were skipped', async () => {
    const result = await parseFile(yarnLockParser, shared(OSV_SCANNER_YARN, 'files.v1.lock'));
    expect(describeSkipped(result.skipped)).toEqual([
      'filedep L9: local file dependency (file:), not from a registry',
      'other_package L16: local file dependency (file:), not from a registry',
      'sprintf-js L24: local file dependency (file:), not from a registry',
      'etag L27: linked local directory (link:), not a registry package',
    ]);
  });
});
