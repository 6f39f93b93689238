import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/shared-data.js';
import { HOSTILE_TIME_LIMIT_MS, nestedBrackets, yamlAliasBomb } from '../helpers/hostile-inputs.js';
import { hasStackTrace, runCli } from './run-cli.js';

// Input built to hang vigil, exhaust its memory or run it off the stack ends at once as an input
// error (exit 2) naming the file, and the line where there is one: never exit 70 "internal
// error", never a stack trace. Before the input limits, the truncated yarn.lock ran for minutes
// at 2 GB and the alias bombs past 90 s (db import) or to exit 70 (vigil.yaml, desk.yaml).

let work: string;
let store: string;

const YARN_V1 = readFileSync(fixture('npm', 'yarn-v1-project', 'yarn.lock'), 'utf8');
const PACKAGE_JSON = readFileSync(fixture('npm', 'yarn-v1-project', 'package.json'), 'utf8');
const BOMB_RECORD = `id: PYSEC-0000-1\nmodified: "2024-01-01T00:00:00Z"\n${yamlAliasBomb(9, 10)}`;
const DESK_HEAD = 'project:\n  name: Example\n  package: { ecosystem: PyPI, name: example }\n  advisory_prefix: EXAMPLE-SA\n  contacts: { security: security@example.org }\n';

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-hostile-input-'));
  store = path.join(work, 'advisories.db');
  const imported = await runCli(['db', 'import', '--db', store, fixture('advisories', 'mixed', 'valid-pypi-record.json')]);
  expect(imported.code, imported.stderr).toBe(0);
}, 60_000);

afterAll(() => { rmSync(work, { recursive: true, force: true }); });

interface HostileRun {
  readonly name: string;
  /** Files of the project folder the command runs in. */
  readonly files: Readonly<Record<string, string>>;
  readonly args: (store: string) => readonly string[];
  /** What stderr must say: the file (and line) and the problem. */
  readonly stderr: RegExp;
}

const audit = (...extra: string[]) => (db: string): readonly string[] => ['audit', '--offline', '--max-db-age', '36500d', '--db', db, ...extra];

const runs: readonly HostileRun[] = [
  {
    name: 'audit: a yarn.lock cut short inside a quoted string',
    files: { 'yarn.lock': YARN_V1.slice(0, YARN_V1.indexOf('resolved "') + 'resolved "https://reg'.length), 'package.json': PACKAGE_JSON },
    args: audit('yarn.lock'),
    stderr: /yarn\.lock:7: invalid yarn\.lock: a quoted string is not closed on its line/,
  },
  {
    name: 'audit: vigil.yaml with a "billion laughs" alias bomb',
    files: { 'vigil.yaml': `fail_on: high\n${yamlAliasBomb()}`, 'yarn.lock': YARN_V1, 'package.json': PACKAGE_JSON },
    args: audit('yarn.lock'),
    stderr: /vigil\.yaml: invalid YAML: aliases expand to more than 100 nodes/,
  },
  {
    name: 'audit: vigil.yaml with a quote left open on line 3',
    files: { 'vigil.yaml': 'fail_on: high\nexceptions:\n  - id: "GHSA-1\n    reason: x\n\n\n\n', 'yarn.lock': YARN_V1, 'package.json': PACKAGE_JSON },
    args: audit('yarn.lock'),
    stderr: /vigil\.yaml:3:9: invalid YAML: Missing closing "quote/,
  },
  {
    name: 'audit: an allowlist nested 100,000 levels',
    files: { 'allow.json': `{"entries": [\n{"id": "X", "x": ${nestedBrackets(100_000)}}]}`, 'yarn.lock': YARN_V1, 'package.json': PACKAGE_JSON },
    args: audit('--allowlist', 'allow.json', 'yarn.lock'),
    stderr: /allow\.json:2:\d+: arrays and objects nested deeper than the limit of 512 levels/,
  },
  {
    name: 'audit: a package-lock.json nested 100,000 levels',
    files: { 'package-lock.json': `{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x"},\n"node_modules/a":{"version":"1.0.0","x":${nestedBrackets(100_000)}}}}` },
    args: audit('package-lock.json'),
    stderr: /package-lock\.json:2:\d+: package-lock\.json: arrays and objects nested deeper than the limit of 512 levels/,
  },
  {
    name: 'audit: a pnpm-lock.yaml with a "billion laughs" alias bomb',
    files: { 'pnpm-lock.yaml': `lockfileVersion: '9.0'\n${yamlAliasBomb()}` },
    args: audit('pnpm-lock.yaml'),
    stderr: /pnpm-lock\.yaml: invalid YAML in pnpm-lock\.yaml: aliases expand to more than 100 nodes/,
  },
  {
    name: 'db import: a 400-byte YAML record with a "billion laughs" alias bomb',
    files: { 'PYSEC-bomb.yaml': BOMB_RECORD },
    args: (db) => ['db', 'import', '--db', db, 'PYSEC-bomb.yaml'],
    stderr: /rejected PYSEC-bomb\.yaml: invalid YAML: aliases expand to more than 100 nodes/,
  },
  {
    name: 'desk: a desk.yaml with a "billion laughs" alias bomb',
    files: { 'desk.yaml': `${DESK_HEAD}${yamlAliasBomb()}` },
    args: () => ['desk', 'supported', '--config', 'desk.yaml'],
    stderr: /desk\.yaml: invalid YAML: aliases expand to more than 100 nodes/,
  },
  {
    name: 'desk: a desk.yaml nested 100,000 levels',
    files: { 'desk.yaml': `${DESK_HEAD}x: ${nestedBrackets(100_000)}\n` },
    args: () => ['desk', 'supported', '--config', 'desk.yaml'],
    stderr: /desk\.yaml:6:\d+: invalid YAML: collections nested deeper than the limit of 512 levels/,
  },
];

describe('hostile input: exit 2 naming the file, no stack trace, at once', () => {
  it.each(runs)('$name', async ({ name, files, args, stderr }) => {
    const project = path.join(work, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(project, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(project, file), text);
    // Each run writes to its own copy of the store.
    const db = path.join(project, 'advisories.db');
    copyFileSync(store, db);
    const started = performance.now();
    const run = await runCli(args(db), { cwd: project });
    expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(stderr);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(hasStackTrace(run.stderr)).toBe(false);
  }, 30_000);
});
