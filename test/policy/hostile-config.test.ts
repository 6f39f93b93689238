import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { MAX_CONFIG_FILE_BYTES } from '../../src/core/input-limits.js';
import { loadDeskConfig, parseDeskConfigText } from '../../src/desk/config/load-desk-config.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { parseAllowlistText, parsePolicyText } from '../../src/policy/policy-file.js';
import { HOSTILE_TIME_LIMIT_MS, nestedBrackets, yamlAliasBomb } from '../helpers/hostile-inputs.js';

// Configuration files (vigil.yaml, an allowlist, desk.yaml) built to hang the reader or run it
// off the stack are a ConfigError naming the file (exit 2), at once.

const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-hostile-config-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

const DESK_HEAD = 'project:\n  name: Example\n  package: { ecosystem: PyPI, name: example }\n  advisory_prefix: EXAMPLE-SA\n  contacts: { security: security@example.org }\n';

function configErrorOf(read: () => unknown): ConfigError {
  const started = performance.now();
  let caught: unknown;
  try {
    read();
  } catch (error) {
    caught = error;
  }
  expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

describe('hostile configuration is a ConfigError at its file (and line), at once', () => {
  it.each([
    { name: 'vigil.yaml: a "billion laughs" alias bomb', file: 'vigil.yaml', text: `fail_on: high\n${yamlAliasBomb()}`, message: /aliases expand to more than 100 nodes/, line: undefined },
    { name: 'vigil.yaml: nested 100,000 levels', file: 'vigil.yaml', text: `fail_on: high\nx: ${nestedBrackets(100_000)}\n`, message: /nested deeper than the limit of 512 levels/, line: 2 },
    { name: 'vigil.yaml: exceptions nested 100,000 block sequences deep', file: 'vigil.yaml', text: `fail_on: high\nexceptions:\n  - ${'- '.repeat(100_000)}x\n`, message: /nested deeper than the limit of 512 levels/, line: 3 },
    { name: 'vigil.yaml: a quote left open is reported where it opens', file: 'vigil.yaml', text: 'fail_on: high\nexceptions:\n  - id: "GHSA-1\n    reason: x\n\n\n\n', message: /Missing closing "quote/, line: 3 },
    { name: 'vigil.yaml: a bracket left open is reported where it opens', file: 'vigil.yaml', text: 'fail_on: high\nignore_scopes: [dev\nexceptions: []\n\n\n', message: /end with a \]/, line: 2 },
    { name: 'desk.yaml: a "billion laughs" alias bomb', file: 'desk.yaml', text: `${DESK_HEAD}${yamlAliasBomb()}`, message: /aliases expand to more than 100 nodes/, line: undefined },
    { name: 'desk.yaml: nested 100,000 levels', file: 'desk.yaml', text: `${DESK_HEAD}x: ${nestedBrackets(100_000)}\n`, message: /nested deeper than the limit of 512 levels/, line: 6 },
    { name: 'allowlist: nested 100,000 levels', file: 'allow.json', text: `{"entries": [\n{"id": "X", "x": ${nestedBrackets(100_000)}}]}`, message: /nested deeper than the limit of 512 levels/, line: 2 },
  ])('$name', ({ file, text, message, line }) => {
    const parse = file === 'desk.yaml' ? parseDeskConfigText : file === 'vigil.yaml' ? parsePolicyText : parseAllowlistText;
    const error = configErrorOf(() => parse(text, file));
    expect(error.message).toMatch(message);
    expect(error.location?.file).toBe(file);
    expect(error.location?.line).toBe(line);
  });

  it.each(['vigil.yaml', 'desk.yaml'])(`%s larger than ${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MiB is refused unread`, async (name) => {
    const file = path.join(work, name);
    writeFileSync(file, `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`);
    const read = name === 'vigil.yaml' ? loadPolicy({ root: work }) : loadDeskConfig(file);
    const error = await read.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('the file is larger than the 4 MiB limit for a configuration file');
    expect((error as ConfigError).location?.file).toBe(name === 'vigil.yaml' ? name : file);
  });
});
