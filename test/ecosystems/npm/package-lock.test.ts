import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LockfileParseError } from '../../../src/core/errors.js';
import { packageLockParser } from '../../../src/ecosystems/npm/parsers.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';
import { describeByKey, describeSkipped, nameVersions } from './summarize.js';

type LockEntry = Record<string, unknown> & { link?: boolean; version?: string; name?: string };

/** Reads a package-lock the plain way, for counts independent of the parser. */
function readLock(path: string): { packages: Record<string, LockEntry> } {
  return JSON.parse(readFileSync(path, 'utf8')) as { packages: Record<string, LockEntry> };
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

describe('package-lock.json: the corpus', () => {
  it.each([
    { name: 'insomnia (v3, workspaces)', parts: ['corpus/npm/insomnia/package-lock.json'] },
    { name: 'cyberchef (v3)', parts: ['corpus/npm/cyberchef/package-lock.json'] },
    { name: 'tock (v2)', parts: ['corpus/npm/tock/package-lock.json'] },
  ])('$name: one package per installed entry, direct = what the project and its workspaces ask for', async ({ parts }) => {
    const path = shared(...parts);
    const lock = readLock(path);
    // Installed entries: keys under some node_modules/, not links to workspaces.
    const installed = Object.entries(lock.packages).filter(([key, entry]) => key.includes('node_modules/') && entry.link !== true);
    const projectDirs = Object.entries(lock.packages).filter(([key]) => !key.includes('node_modules/'));
    const askedFor = new Set(projectDirs.flatMap(([, entry]) => DEPENDENCY_FIELDS.flatMap((field) => Object.keys((entry[field] as object | undefined) ?? {}))));
    const workspaceNames = new Set(Object.entries(lock.packages).filter(([, entry]) => entry.link === true).map(([key]) => key.slice('node_modules/'.length)));

    const result = await parseFile(packageLockParser, path);

    expect(result.packages).toHaveLength(installed.length);
    expect(result.skipped).toEqual([]);
    const installedName = (key: string): string => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const directNames = new Set(result.packages.filter((pkg) => pkg.direct === true).map((pkg) => installedName(pkg.key)));
    expect(directNames).toEqual(new Set([...askedFor].filter((name) => !workspaceNames.has(name))));
    for (const pkg of result.packages) {
      expect(pkg.location).toEqual({ file: 'package-lock.json', line: expect.any(Number) as number });
      for (const target of pkg.dependsOn) expect(lock.packages[target]).toBeDefined();
    }
  });

  it('insomnia: known entries, aliases, workspace-local copies and lines', async () => {
    const result = await parseFile(packageLockParser, shared('corpus/npm/insomnia/package-lock.json'));
    const byKey = describeByKey(result.packages);
    // "node_modules/paseto3": {"name": "paseto", "version": "3.1.4", "dev": true, "optional": true} at line 20450.
    expect(byKey['node_modules/paseto3']).toBe('paseto@3.1.4 L20450 direct=false [dev,optional]');
    // Extraneous but installed: still audited.
    expect(byKey['node_modules/lerna/node_modules/yargs']).toMatch(/^yargs@16\.2\.0 L18164 /);
    // packages/insomnia depends on @apideck/better-ajv-errors ^0.3.6, installed under the workspace.
    expect(byKey['packages/insomnia/node_modules/@apideck/better-ajv-errors']).toMatch(/^@apideck\/better-ajv-errors@0\.3\.6 .* direct=true/);
    expect(result.packages.find((pkg) => pkg.key === 'node_modules/string-width-cjs')?.name).toBe('string-width');
  });

  it('cyberchef: a transitive dependency reached from a direct one', async () => {
    const result = await parseFile(packageLockParser, shared('corpus/npm/cyberchef/package-lock.json'));
    const amf = result.packages.find((pkg) => pkg.key === 'node_modules/@astronautlabs/amf');
    // package.json: "@astronautlabs/amf": "^0.0.6"; its lock entry requires @astronautlabs/bitstream
    // ^4.0.0, installed under it (line 216).
    expect(amf).toMatchObject({ version: '0.0.6', direct: true, scopes: [], location: { line: 205 } });
    expect(amf?.dependsOn).toEqual(['node_modules/@astronautlabs/amf/node_modules/@astronautlabs/bitstream']);
    const bitstream = result.packages.find((pkg) => pkg.key === amf?.dependsOn[0]);
    expect(bitstream).toMatchObject({ name: '@astronautlabs/bitstream', direct: false, location: { line: 216 } });
    const peer = result.packages.find((pkg) => pkg.key === 'node_modules/@astronautlabs/amf/node_modules/reflect-metadata');
    expect(peer).toMatchObject({ version: '0.1.14', scopes: ['peer'], direct: false });
  });

  it('tock: runtime dependencies are not dev, the rest of the tree is', async () => {
    const result = await parseFile(packageLockParser, shared('corpus/npm/tock/package-lock.json'));
    const byName = new Map(result.packages.map((pkg) => [pkg.key, pkg]));
    expect(byName.get('node_modules/jquery')).toMatchObject({ version: '3.6.0', direct: true, scopes: [] });
    expect(byName.get('node_modules/chosen-js')).toMatchObject({ version: '1.8.7', direct: true, scopes: [] });
    expect(byName.get('node_modules/gulp')?.scopes).toEqual(['dev']);
    const lock = readLock(shared('corpus/npm/tock/package-lock.json'));
    const devEntries = Object.values(lock.packages).filter((entry) => entry.dev === true).length;
    expect(result.packages.filter((pkg) => pkg.scopes.includes('dev'))).toHaveLength(devEntries);
  });
});

describe('package-lock.json: hand-written cases', () => {
  it('workspaces, nested copies, links, git and version-less entries', async () => {
    const result = await parseFile(packageLockParser, fixture('npm/workspaces-v3/package-lock.json'));
    expect(describeByKey(result.packages)).toEqual({
      'node_modules/left-pad': 'left-pad@1.3.0 L20 direct=true []',
      'node_modules/shared-util': 'shared-util@1.0.0 L27 direct=false []',
      'node_modules/tester': 'tester@2.1.0 L31 direct=true [dev]',
      'node_modules/tester/node_modules/shared-util': 'shared-util@2.0.1 L39 direct=false [dev]',
      // devOptional: installed unless both dev and optional are omitted, so no scope.
      'node_modules/fsevents': 'fsevents@2.3.3 L44 direct=true []',
      // The workspace packages/app has its own left-pad: that copy is its direct dependency.
      'packages/app/node_modules/left-pad': 'left-pad@1.1.0 L71 direct=true []',
      'node_modules/string-width-cjs': 'string-width@4.2.3 L75 direct=true [peer]',
    });
    expect(result.packages.find((pkg) => pkg.key === 'node_modules/left-pad')?.dependsOn).toEqual(['node_modules/shared-util']);
    expect(result.packages.find((pkg) => pkg.key === 'node_modules/tester')?.dependsOn).toEqual(['node_modules/tester/node_modules/shared-util']);
    expect(describeSkipped(result.skipped)).toEqual([
      'from-git L49: git dependency: no registry version to match',
      'no-version L53: no version in the lockfile entry',
      'outside L56: linked local directory (link:), not a registry package',
    ]);
  });

  it('v1: aliases record the real name, nested dependencies resolve to the nearest copy', async () => {
    const result = await parseFile(packageLockParser, fixture('npm/alias-nested.v1.json'));
    expect(describeByKey(result.packages)).toEqual({
      'node_modules/string-width-cjs': 'string-width@4.2.3 L6 direct=unknown []',
      'node_modules/string-width-cjs/node_modules/strip-ansi': 'strip-ansi@6.0.1 L13 direct=unknown []',
      'node_modules/strip-ansi': 'strip-ansi@7.1.0 L19 direct=unknown [dev]',
    });
    expect(result.packages[0]?.dependsOn).toEqual(['node_modules/string-width-cjs/node_modules/strip-ansi']);
    expect(result.packages[0]?.purl).toBe('pkg:npm/string-width@4.2.3');
  });

  it.each([
    // A file that simply ends is pointed at its last written line.
    { name: 'truncated file', file: 'truncated.v3.json', line: 12, message: /invalid JSON/ },
    { name: 'missing comma', file: 'missing-comma.v2.json', line: 6, message: /expected ',' or '}'/ },
    { name: 'unknown lockfileVersion', file: 'unknown-lockfile-version.json', line: 3, message: /unsupported lockfileVersion 4/ },
    { name: 'missing lockfileVersion', file: 'missing-lockfile-version.json', line: 1, message: /missing lockfileVersion/ },
  ])('$name: LockfileParseError at file:line with a hint', async ({ file, line, message }) => {
    const error = await parseFile(packageLockParser, fixture('npm', file)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    const parseError = error as LockfileParseError;
    expect(parseError.message).toMatch(message);
    expect(parseError.location).toMatchObject({ file, line });
    expect(parseError.hint).toBeTruthy();
  });
});

const OSV_SCANNER_NPM = 'fixtures/osv-scanner/pkg/lockfile/fixtures/npm';
const SCALIBR_NPM = 'fixtures/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson/testdata';

describe('package-lock.json: osv-scanner and osv-scalibr fixtures', () => {
  it.each([
    { file: 'empty.v1.json', want: [], skipped: 0 },
    { file: 'empty.v2.json', want: [], skipped: 0 },
    { file: 'one-package.v1.json', want: ['wrappy@1.0.2'], skipped: 0 },
    { file: 'one-package.v2.json', want: ['wrappy@1.0.2'], skipped: 0 },
    { file: 'two-packages.v2.json', want: ['supports-color@5.5.0', 'wrappy@1.0.2'], skipped: 0 },
    { file: 'scoped-packages.v2.json', want: ['@babel/code-frame@7.0.0', 'wrappy@1.0.2'], skipped: 0 },
    { file: 'alias.v1.json', want: ['@babel/code-frame@7.0.0', 'string-width@4.2.0', 'string-width@5.1.2'], skipped: 0 },
    { file: 'alias.v2.json', want: ['@babel/code-frame@7.0.0', 'string-width@4.2.0', 'string-width@5.1.2'], skipped: 0 },
    { file: 'nested-dependencies.v1.json', want: ['postcss-calc@7.0.1', 'postcss@6.0.23', 'postcss@7.0.16', 'supports-color@5.5.0', 'supports-color@6.1.0'], skipped: 0 },
    { file: 'nested-dependencies.v2.json', want: ['postcss-calc@7.0.1', 'postcss@6.0.23', 'postcss@7.0.16', 'supports-color@5.5.0', 'supports-color@6.1.0'], skipped: 0 },
    // Eleven workspace-less `supports-color` copies at 6.1.0, two at 2.0.0 and so on: one package each.
    { file: 'files.v1.json', want: ['lodash@1.3.1'], skipped: 1 },
    { file: 'files.v2.json', want: ['abbrev@1.0.9', 'abbrev@2.3.4'], skipped: 1 },
    // Git dependencies, including the nested ones under postcss-calc: 13 entries in v1.
    { file: 'commits.v1.json', want: ['ansi-styles@1.0.0', 'postcss-calc@7.0.1'], skipped: 13 },
  ])('$file', async ({ file, want, skipped }) => {
    const result = await parseFile(packageLockParser, shared(OSV_SCANNER_NPM, file));
    expect(nameVersions(result.packages)).toEqual(want);
    expect(result.skipped).toHaveLength(skipped);
  });

  it('nested-dependencies-dup.v2.json: every nested copy is its own package', async () => {
    const path = shared(OSV_SCANNER_NPM, 'nested-dependencies-dup.v2.json');
    const result = await parseFile(packageLockParser, path);
    expect(result.packages).toHaveLength(Object.keys(readLock(path).packages).length - 1);
    expect(new Set(result.packages.map((pkg) => pkg.key)).size).toBe(result.packages.length);
  });

  it('same-package-different-groups.v2.json: scopes from npm flags', async () => {
    const result = await parseFile(packageLockParser, shared(OSV_SCANNER_NPM, 'same-package-different-groups.v2.json'));
    const scopes = Object.fromEntries(result.packages.map((pkg) => [pkg.key, pkg.scopes.join(',')]));
    expect(scopes).toEqual({
      'node_modules/ajv': 'dev',
      'node_modules/eslint': 'dev',
      'node_modules/eslint/node_modules/ajv': 'dev',
      'node_modules/eslint/node_modules/ajv/node_modules/ajv': 'optional',
      'node_modules/table': '',
      'node_modules/table/node_modules/ajv': '',
      'node_modules/table/node_modules/ajv/node_modules/ajv': '',
    });
  });

  it('optional-package.v2.json and one-package-dev.v2.json: optional and dev flags', async () => {
    const optional = await parseFile(packageLockParser, shared(OSV_SCANNER_NPM, 'optional-package.v2.json'));
    expect(describeByKey(optional.packages)).toEqual({
      'node_modules/wrappy': 'wrappy@1.0.2 L10 direct=true [optional]',
      'node_modules/supports-color': 'supports-color@5.5.0 L16 direct=false []',
    });
    const dev = await parseFile(packageLockParser, shared(OSV_SCANNER_NPM, 'one-package-dev.v2.json'));
    expect(dev.packages.map((pkg) => pkg.scopes)).toEqual([['dev']]);
  });

  it('not-json.txt: a LockfileParseError at line 1', async () => {
    await expect(parseFile(packageLockParser, shared(OSV_SCANNER_NPM, 'not-json.txt'))).rejects.toMatchObject({
      name: 'LockfileParseError',
      location: { line: 1, column: 1 },
    });
  });

  it.each([
    { file: 'bundled-dependencies.v3.json' },
    { file: 'package-lock-only/package-lock.json' },
    { file: 'npm-shrinkwrap-only/npm-shrinkwrap.json' },
    { file: 'both/npm-shrinkwrap.json' },
  ])('scalibr $file: every installed entry is a package or a skipped entry', async ({ file }) => {
    const path = shared(SCALIBR_NPM, ...file.split('/'));
    const lock = readLock(path);
    const result = await parseFile(packageLockParser, path);
    const installed = Object.entries(lock.packages).filter(([key, entry]) => key.includes('node_modules/') && entry.link !== true);
    expect(result.packages.length + result.skipped.length).toBe(installed.length);
  });

  it('matches package-lock.json and npm-shrinkwrap.json by name only', () => {
    expect(['package-lock.json', 'npm-shrinkwrap.json', 'package.json', 'yarn.lock'].map((name) => packageLockParser.matchesFileName(name))).toEqual([true, true, false, false]);
  });
});

describe('package-lock.json lines, read in the same pass as the nesting bound', () => {
  // Independent reading: npm writes each `packages` entry as `    "<path>": {` on its own line,
  // four spaces in; the line of a package is the line of its key.
  it.each([
    { name: 'insomnia (v3, workspaces)', parts: ['corpus', 'npm', 'insomnia', 'package-lock.json'] },
    { name: 'cyberchef (v3)', parts: ['corpus', 'npm', 'cyberchef', 'package-lock.json'] },
    { name: 'tock (v2)', parts: ['corpus', 'npm', 'tock', 'package-lock.json'] },
  ])('$name: every package is at the line of its key', async ({ parts }) => {
    const file = shared(...parts);
    const keyLine = new Map<string, number>();
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        const match = /^ {4}"([^"]*node_modules\/[^"]+)": \{$/.exec(text);
        if (match?.[1] !== undefined) keyLine.set(match[1], index + 1);
      });
    const lines = [...keyLine.values()];
    const parsed = await parseFile(packageLockParser, file);
    expect(parsed.packages.length).toBeGreaterThan(300);
    for (const pkg of parsed.packages) expect(lines).toContain(pkg.location.line);
  });

  it('a lockfile nested deeper than the limit is the same input error as any JSON file', async () => {
    const text = `{"lockfileVersion": 3, "packages": {"": {"x": ${'['.repeat(600)}${']'.repeat(600)}}}}`;
    const error = await packageLockParser
      .parse({ path: 'package-lock.json', text, bytes: text.length } as never, {} as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect((error as LockfileParseError).message).toMatch(/nested deeper than the limit of 512 levels/);
    expect((error as LockfileParseError).location).toMatchObject({ file: 'package-lock.json', line: 1 });
  });
});
