import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LockfileParseError } from '../../../src/core/errors.js';
import { isMissingEntriesNote } from '../../../src/ecosystems/missing-entries.js';
import { pnpmLockParser } from '../../../src/ecosystems/npm/parsers.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';
import { describeByKey, describeSkipped, nameVersions } from './summarize.js';

/** Keys of a top-level section, read plainly: lines indented by two spaces up to the next section. */
function sectionKeys(text: string, section: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`${section}:`);
  if (start < 0) return [];
  const keys: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const match = /^ {2}(?!\s|#)('?)(.+?)\1:(?:\s|$)/.exec(line);
    if (match?.[2] !== undefined) keys.push(match[2]);
  }
  return keys;
}

/** Importer dependencies (`name:` then `specifier:` / `version:` lines), read plainly from the text. */
function importerVersions(text: string): { name: string; version: string; dev: boolean }[] {
  const lines = text.split('\n');
  const end = lines.indexOf('packages:');
  const found: { name: string; version: string; dev: boolean }[] = [];
  let field = '';
  let name = '';
  for (const line of lines.slice(0, end)) {
    const fieldMatch = /^ {4}(\w+):$/.exec(line);
    if (fieldMatch?.[1] !== undefined) field = fieldMatch[1];
    const nameMatch = /^ {6}'?([^':]+)'?:$/.exec(line);
    if (nameMatch?.[1] !== undefined) name = nameMatch[1];
    const versionMatch = /^ {8}version: (.+)$/.exec(line);
    if (versionMatch?.[1] !== undefined) found.push({ name, version: versionMatch[1], dev: field === 'devDependencies' });
  }
  return found;
}

describe('pnpm-lock.yaml: the corpus (vue core)', () => {
  it.each([
    { name: 'pnpm 8 (lockfileVersion 6.0)', dir: 'vue-core-pnpm6', keyOf: (name: string, version: string) => (version.startsWith('/') ? version : `/${name}@${version}`) },
    {
      name: 'pnpm 9 (lockfileVersion 9.0)',
      dir: 'vue-core-pnpm9',
      // Aliases name the real package: `eslint-plugin-import: eslint-plugin-i@2.29.1`.
      keyOf: (name: string, version: string) => {
        const withoutPeers = version.replace(/\(.*$/, '');
        return withoutPeers.indexOf('@', 1) > 0 ? withoutPeers : `${name}@${withoutPeers}`;
      },
    },
  ])('$name: one package per `packages` key; direct = importer dependencies', async ({ dir, keyOf }) => {
    const path = shared('corpus/npm', dir, 'pnpm-lock.yaml');
    const text = readFileSync(path, 'utf8');
    const keys = sectionKeys(text, 'packages');
    const asked = importerVersions(text).filter(({ version }) => !version.startsWith('link:'));
    const directKeys = new Set(asked.map(({ name, version }) => keyOf(name, version)));

    const result = await parseFile(pnpmLockParser, path);

    expect(result.packages.map((pkg) => pkg.key)).toEqual(keys);
    expect(result.skipped).toEqual([]);
    expect(new Set(result.packages.filter((pkg) => pkg.direct === true).map((pkg) => pkg.key))).toEqual(directKeys);
    const keySet = new Set(keys);
    for (const pkg of result.packages) for (const target of pkg.dependsOn) expect(keySet.has(target)).toBe(true);
  });

  it('6.0: dev and optional flags, an npm: alias, peer suffixes stripped', async () => {
    const path = shared('corpus/npm/vue-core-pnpm6/pnpm-lock.yaml');
    const result = await parseFile(pnpmLockParser, path);
    const byKey = describeByKey(result.packages);
    // eslint-plugin-import: {specifier: npm:eslint-plugin-i@^2.29.1, version: /eslint-plugin-i@2.29.1(...)} at line 2849.
    expect(byKey['/eslint-plugin-i@2.29.1(@typescript-eslint/parser@7.0.2)(eslint@8.57.0)']).toBe('eslint-plugin-i@2.29.1 L2849 direct=true [dev]');
    expect(byKey['/postcss@8.4.35']).toBe('postcss@8.4.35 L4584 direct=true []');
    const text = readFileSync(path, 'utf8');
    const devFlags = (text.match(/^ {4}dev: true$/gm) ?? []).length;
    expect(result.packages.filter((pkg) => pkg.scopes.includes('dev'))).toHaveLength(devFlags);
  });

  it('9.0: snapshots give the edges, importers give dev', async () => {
    const result = await parseFile(pnpmLockParser, shared('corpus/npm/vue-core-pnpm9/pnpm-lock.yaml'));
    const byKey = describeByKey(result.packages);
    // packages/compiler-sfc depends on postcss ^8.4.38 and magic-string ^0.30.10.
    expect(byKey['postcss@8.4.38']).toBe('postcss@8.4.38 L2714 direct=true []');
    expect(byKey['magic-string@0.30.10']).toBe('magic-string@0.30.10 L2390 direct=true []');
    // The root's devDependencies (vitest...) and all they pull in are dev.
    expect(byKey['vitest@1.6.0']).toMatch(/direct=true \[dev\]$/);
    // '@babel/core@7.24.4' snapshot: '@babel/helper-module-transforms': 7.23.3(@babel/core@7.24.4).
    expect(result.packages.find((pkg) => pkg.key === '@babel/core@7.24.4')?.dependsOn).toContain('@babel/helper-module-transforms@7.23.3');
  });
});

describe('pnpm-lock.yaml: hand-written cases', () => {
  it('9.0 workspace: links are not packages, aliases name the real package, dev and optional by reachability', async () => {
    const result = await parseFile(pnpmLockParser, fixture('npm/workspace-v9.pnpm.yaml'));
    expect(describeByKey(result.packages)).toEqual({
      // Runtime dependency of the root, also a peer of the dev-only test-runner: runtime wins.
      'app-lib@1.4.0': 'app-lib@1.4.0 L36 direct=true []',
      'native-speedup@0.2.1': 'native-speedup@0.2.1 L39 direct=true [optional]',
      'shared@2.1.0': 'shared@2.1.0 L42 direct=false []',
      'string-width@4.2.3': 'string-width@4.2.3 L45 direct=true []',
      'test-runner@3.2.0': 'test-runner@3.2.0 L48 direct=true [dev]',
      'test-only@1.0.5': 'test-only@1.0.5 L53 direct=false [dev]',
    });
    expect(result.packages.find((pkg) => pkg.name === 'test-runner')?.dependsOn).toEqual(['app-lib@1.4.0', 'shared@2.1.0', 'test-only@1.0.5']);
    expect(result.skipped).toEqual([]);
  });

  it.each([
    { name: 'unknown lockfileVersion', file: 'unknown-lockfile-version.pnpm.yaml', line: 1, message: /unsupported pnpm lockfileVersion 10\.0/ },
    // The flow mapping opened on line 5 is still open where the input ends, on line 6: the error
    // points at the line that opened it.
    { name: 'truncated YAML', file: 'truncated.pnpm.yaml', line: 5, message: /invalid YAML/ },
  ])('$name: LockfileParseError at file:line with a hint', async ({ file, line, message }) => {
    const error = await parseFile(pnpmLockParser, fixture('npm', file)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect((error as LockfileParseError).message).toMatch(message);
    expect((error as LockfileParseError).location).toMatchObject({ file, line });
    expect((error as LockfileParseError).hint).toBeTruthy();
  });
});

const OSV_SCANNER_PNPM = 'fixtures/osv-scanner/pkg/lockfile/fixtures/pnpm';
const SCALIBR_PNPM = 'fixtures/osv-scalibr/extractor/filesystem/language/javascript/pnpmlock/testdata';

describe('pnpm-lock.yaml: osv-scanner and osv-scalibr fixtures', () => {
  it.each([
    { file: 'no-packages.yaml', want: [], skipped: 0 },
    { file: 'no-packages.v9.yaml', want: [], skipped: 0 },
    { file: 'one-package.yaml', want: ['acorn@8.7.0'], skipped: 0 },
    { file: 'one-package-v6-lockfile.yaml', want: ['acorn@8.7.0'], skipped: 0 },
    { file: 'one-package.v9.yaml', want: ['acorn@8.11.3'], skipped: 0 },
    { file: 'scoped-packages.yaml', want: ['@typescript-eslint/types@5.13.0'], skipped: 0 },
    { file: 'scoped-packages-v6-lockfile.yaml', want: ['@typescript-eslint/types@5.57.1'], skipped: 0 },
    { file: 'peer-dependencies.yaml', want: ['acorn-jsx@5.3.2', 'acorn@8.7.0'], skipped: 0 },
    { file: 'multiple-versions.yaml', want: ['uuid@3.3.2', 'uuid@8.3.2', 'xmlbuilder@9.0.7'], skipped: 0 },
    { file: 'multiple-versions.v9.yaml', want: ['uuid@8.0.0', 'uuid@8.3.2', 'xmlbuilder@11.0.1'], skipped: 0 },
    { file: 'mixed-groups.v54.yaml', want: ['ansi-regex@5.0.1', 'is-number@7.0.0', 'uuid@8.3.2'], skipped: 0 },
    // Every entry comes from git (repo + commit, or a codeload archive).
    { file: 'commits.yaml', want: [], skipped: 5 },
    { file: 'commits.v9.yaml', want: [], skipped: 2 },
    // file: tarball and directories.
    { file: 'files.yaml', want: [], skipped: 6 },
    // A GitLab package registry tarball is a registry package.
    { file: 'tarball.yaml', want: ['@my-org/my-package@3.2.3'], skipped: 0 },
    {
      file: 'exotic.yaml',
      // Registry hosts before the path are other registries; github.com/kevva/is-positive is git.
      want: ['@foo/bar@1.0.0', '@foo/bar@1.1.0', 'foo@1.0.0', 'foo@1.1.0', 'foo@1.2.0', 'foo@1.3.0', 'foo@1.4.0', 'foo@bar'],
      skipped: 1,
    },
  ])('$file', async ({ file, want, skipped }) => {
    const result = await parseFile(pnpmLockParser, shared(OSV_SCANNER_PNPM, file));
    expect(nameVersions(result.packages)).toEqual(want);
    // These fixtures are cut down by hand: dependencies without entries of their own are one
    // note (tested below), not entries of the file.
    expect(result.skipped.filter((entry) => !isMissingEntriesNote(entry))).toHaveLength(skipped);
  });

  it.each(['mixed-groups.v53.yaml', 'mixed-groups.v6.yaml', 'mixed-groups.v9.yaml'])('%s: runtime, optional and dev groups', async (file) => {
    const result = await parseFile(pnpmLockParser, shared(OSV_SCANNER_PNPM, file));
    expect(result.packages.map((pkg) => `${pkg.name} ${String(pkg.direct)} [${pkg.scopes.join(',')}]`)).toEqual([
      'ansi-regex true []',
      'is-number true [dev]',
      'uuid true [optional]',
    ]);
  });

  it('files.yaml: local packages say why they were skipped', async () => {
    const result = await parseFile(pnpmLockParser, shared(OSV_SCANNER_PNPM, 'files.yaml'));
    expect(describeSkipped(result.skipped)[0]).toBe('my-file-package L10: local file dependency (file:), not from a registry');
  });

  it('not-yaml.txt: a LockfileParseError', async () => {
    await expect(parseFile(pnpmLockParser, shared(OSV_SCANNER_PNPM, 'not-yaml.txt'))).rejects.toBeInstanceOf(LockfileParseError);
  });

  // empty.yaml is a comment only: not a lock of nothing (pnpm always writes lockfileVersion).
  const scalibrFiles = readdirSync(shared(SCALIBR_PNPM)).filter((file) => file.endsWith('.yaml') && file !== 'empty.yaml');
  it.each(scalibrFiles)('scalibr %s: every `packages` key is a package or a skipped entry', async (file) => {
    const path = shared(SCALIBR_PNPM, file);
    const result = await parseFile(pnpmLockParser, path);
    const entries = result.skipped.filter((entry) => !isMissingEntriesNote(entry));
    expect(result.packages.length + entries.length).toBe(sectionKeys(readFileSync(path, 'utf8'), 'packages').length);
  });
});
