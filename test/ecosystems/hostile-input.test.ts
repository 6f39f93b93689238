import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LockfileParseError } from '../../src/core/errors.js';
import { MAX_DEPENDENCY_FILE_BYTES } from '../../src/core/input-limits.js';
import { packageLockParser, pnpmLockParser, yarnLockParser } from '../../src/ecosystems/npm/parsers.js';
import { pipfileLockParser, poetryLockParser } from '../../src/ecosystems/pypi/parsers.js';
import { cycloneDxJsonParser } from '../../src/ecosystems/sbom/parsers.js';
import type { LockfileParser } from '../../src/ecosystems/types.js';
import { fixture, parseFile } from '../helpers/shared-data.js';
import { HOSTILE_TIME_LIMIT_MS, nestedBrackets, yamlAliasBomb } from '../helpers/hostile-inputs.js';

// Every dependency file parser, given a small file built to hang it, exhaust its memory or run
// it off the stack, must end at once with a LockfileParseError naming the file.

const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-hostile-deps-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

const DEEP = nestedBrackets(100_000);
const POETRY_HEAD = '[[package]]\nname = "requests"\nversion = "2.31.0"\noptional = false\npython-versions = ">=3.7"\nfiles = []\n';
const POETRY_TAIL = '\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "0"\n';
const YARN_V1 = readFileSync(fixture('npm', 'yarn-v1-project', 'yarn.lock'), 'utf8');

interface HostileCase {
  readonly name: string;
  readonly parser: LockfileParser;
  /** Files of the project folder; the first one is parsed. */
  readonly files: Readonly<Record<string, string>>;
  /** The file the error must name (the parsed one unless a related file is the hostile one). */
  readonly blamed?: string;
  readonly message: RegExp;
  readonly line?: number;
}

const cases: readonly HostileCase[] = [
  {
    name: 'package-lock.json nested 100,000 levels',
    parser: packageLockParser,
    files: { 'package-lock.json': `{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x"},\n"node_modules/a":{"version":"1.0.0","x":${DEEP}}}}` },
    message: /nested deeper than the limit of 512 levels/,
    line: 2,
  },
  {
    name: 'package-lock.json nested 100,000 levels and cut short',
    parser: packageLockParser,
    files: { 'package-lock.json': `{"name":"x","lockfileVersion":3,"packages":${'['.repeat(100_000)}` },
    message: /nested deeper than the limit of 512 levels/,
    line: 1,
  },
  {
    name: 'CycloneDX SBOM nested 100,000 levels',
    parser: cycloneDxJsonParser,
    files: { 'bom.json': `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[\n{"type":"library","name":"a","version":"1","purl":"pkg:npm/a@1","x":${DEEP}}]}` },
    message: /nested deeper than the limit of 512 levels/,
    line: 2,
  },
  {
    name: 'Pipfile.lock nested 100,000 levels',
    parser: pipfileLockParser,
    files: { 'Pipfile.lock': `{"_meta":{"pipfile-spec":6},"default":${DEEP},"develop":{}}` },
    message: /nested deeper than the limit of 512 levels/,
    line: 1,
  },
  {
    name: 'poetry.lock with an inline array nested 100,000 levels',
    parser: poetryLockParser,
    files: { 'poetry.lock': `${POETRY_HEAD}x = ${DEEP}\n${POETRY_TAIL}` },
    message: /TOML arrays and tables nested deeper than the limit of 512 levels/,
    line: 7,
  },
  {
    name: 'poetry.lock with a dotted key 100,000 tables deep',
    parser: poetryLockParser,
    files: { 'poetry.lock': `${POETRY_HEAD}${'x.'.repeat(100_000)}x = 1\n${POETRY_TAIL}` },
    message: /TOML arrays and tables nested deeper than the limit of 512 levels/,
  },
  {
    name: 'poetry.lock with an inline array nested 600 levels (past the limit, within the TOML parser\'s own)',
    parser: poetryLockParser,
    files: { 'poetry.lock': `${POETRY_HEAD}x = ${nestedBrackets(600)}\n${POETRY_TAIL}` },
    message: /TOML arrays and tables nested deeper than the limit of 512 levels/,
  },
  {
    name: 'pyproject.toml beside a poetry.lock, nested 100,000 levels',
    parser: poetryLockParser,
    files: { 'poetry.lock': `${POETRY_HEAD}${POETRY_TAIL}`, 'pyproject.toml': `[project]\nname = "demo"\nx = ${DEEP}\n` },
    blamed: 'pyproject.toml',
    message: /TOML arrays and tables nested deeper than the limit of 512 levels/,
    line: 3,
  },
  {
    name: 'pnpm-lock.yaml with a "billion laughs" alias bomb',
    parser: pnpmLockParser,
    files: { 'pnpm-lock.yaml': `lockfileVersion: '9.0'\n${yamlAliasBomb()}` },
    message: /aliases expand to more than 100 nodes/,
  },
  {
    name: 'pnpm-lock.yaml nested 100,000 levels',
    parser: pnpmLockParser,
    files: { 'pnpm-lock.yaml': `lockfileVersion: '9.0'\nx: ${DEEP}\n` },
    message: /nested deeper than the limit of 512 levels/,
    line: 2,
  },
  {
    name: 'Yarn Berry yarn.lock with a "billion laughs" alias bomb',
    parser: yarnLockParser,
    files: { 'yarn.lock': `__metadata:\n  version: 6\n${yamlAliasBomb()}` },
    message: /aliases expand to more than 100 nodes/,
  },
  {
    name: 'Yarn Classic yarn.lock cut short inside a quoted string',
    parser: yarnLockParser,
    files: { 'yarn.lock': YARN_V1.slice(0, YARN_V1.indexOf('resolved "') + 'resolved "https://registry.'.length) },
    message: /a quoted string is not closed on its line/,
    line: 7,
  },
  {
    name: 'Yarn Classic yarn.lock nesting `a:` 100,000 times on one line',
    parser: yarnLockParser,
    files: { 'yarn.lock': `# yarn lockfile v1\n\n${'a: '.repeat(100_000)}b\n` },
    message: /mappings nested deeper than the limit of 512 levels/,
    line: 3,
  },
];

describe('dependency files: hostile input is a LockfileParseError naming the file, at once', () => {
  it.each(cases)('$name', async ({ name, parser, files, blamed, message, line }) => {
    const folder = path.join(work, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(folder, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(folder, file), text);
    const parsed = Object.keys(files)[0] ?? '';
    const started = performance.now();
    const error = await parseFile(parser, path.join(folder, parsed)).catch((caught: unknown) => caught);
    expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
    expect(error).toBeInstanceOf(LockfileParseError);
    const { location, message: text } = error as LockfileParseError;
    expect(text).toMatch(message);
    expect(location?.file).toBe(blamed ?? parsed);
    expect(location?.line).toBe(line);
  });

  it(`a file larger than ${MAX_DEPENDENCY_FILE_BYTES / 1024 / 1024} MiB is refused unparsed`, async () => {
    const file = path.join(work, 'big', 'package-lock.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.alloc(MAX_DEPENDENCY_FILE_BYTES + 1, 0x20));
    const error = await parseFile(packageLockParser, file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect((error as LockfileParseError).message).toBe('the file is larger than the 64 MiB limit for a dependency file');
    expect((error as LockfileParseError).location).toEqual({ file: 'package-lock.json' });
  });
});

describe('Yarn Classic: a yarn.lock cut short anywhere inside a quoted string', () => {
  // Every place a checkout can end inside a string: just after each opening quote, and midway.
  const opens = [...YARN_V1.matchAll(/(?<=^|[\s,])"/gm)].map((match) => match.index);
  const cuts = opens.flatMap((open) => {
    const close = YARN_V1.indexOf('"', open + 1);
    return [open + 1, Math.floor((open + 1 + close) / 2)];
  });

  it('the fixture has strings to cut', () => {
    expect(opens.length).toBeGreaterThan(10);
  });

  it.each(cuts)('cut at offset %i: a LockfileParseError at the line of the open string', async (cut) => {
    const folder = path.join(work, `yarn-cut-${cut}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'yarn.lock'), YARN_V1.slice(0, cut));
    const started = performance.now();
    const error = await parseFile(yarnLockParser, path.join(folder, 'yarn.lock')).catch((caught: unknown) => caught);
    expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect((error as LockfileParseError).location).toEqual({ file: 'yarn.lock', line: YARN_V1.slice(0, cut).split('\n').length });
  });
});
