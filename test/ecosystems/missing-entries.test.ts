// A lockfile that names a dependency without an entry of its own has lost entries (a file cut
// short between two entries still parses) or was edited by hand: the packages it has are kept,
// and one unevaluable note names the first missing dependency. Cases: files cut by hand here and
// hand-cut fixtures whose missing dependency was read off the file.
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMissingEntriesNote } from '../../src/ecosystems/missing-entries.js';
import { lockfileParsers } from '../../src/ecosystems/registry.js';
import { fixture, parseFile } from '../helpers/shared-data.js';

function parserFor(fileName: string) {
  const parser = lockfileParsers.find((candidate) => candidate.matchesFileName(fileName) && (candidate.sniff?.('') ?? true));
  if (!parser) throw new Error(`no parser for ${fileName}`);
  return parser;
}

function write(fileName: string, text: string): string {
  const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'vigil-missing-')), fileName);
  writeFileSync(target, text);
  return target;
}

const YARN_V1 = `# yarn lockfile v1


concat-stream@^1.5.0:
  version "1.6.2"
  resolved "https://registry.npmjs.org/concat-stream/-/concat-stream-1.6.2.tgz"
  dependencies:
    buffer-from "^1.0.0"
    inherits "^2.0.3"

inherits@^2.0.3:
  version "2.0.4"
  resolved "https://registry.yarnpkg.com/inherits/-/inherits-2.0.4.tgz"
`;

const UV = `version = 1
requires-python = ">=3.9"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "requests" },
]

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "idna" },
    { name = "urllib3" },
]

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }
`;

describe('dependencies a lockfile names but does not contain', () => {
  it.each([
    { name: 'yarn.lock v1 missing buffer-from', file: () => write('yarn.lock', YARN_V1), packages: 2, first: '"concat-stream@1.6.2" depends on "buffer-from@^1.0.0"' },
    { name: 'uv.lock missing urllib3', file: () => write('uv.lock', UV), packages: 2, first: '"requests" depends on "urllib3"' },
    { name: 'hand-written pdm.lock missing iniconfig', file: () => fixture('pypi/pdm/with-pyproject/pdm.lock'), packages: 7, first: '"pytest" depends on "iniconfig"' },
  ])('$name: the packages are kept and one note names the first gap', async ({ file, packages, first }) => {
    const target = file();
    const result = await parseFile(parserFor(path.basename(target)), target);
    expect(result.packages).toHaveLength(packages);
    const notes = result.skipped.filter(isMissingEntriesNote);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.reason).toContain(`${first}, which the lockfile does not contain`);
    // Unevaluable: no kind, so the gate fails unless the policy says `unevaluable: warn`.
    expect(notes[0]?.kind).toBeUndefined();
  });

  it('a complete file has no note', async () => {
    const complete = UV.replace('    { name = "urllib3" },\n', '');
    const target = write('uv.lock', complete);
    const result = await parseFile(parserFor('uv.lock'), target);
    expect(result.skipped.filter(isMissingEntriesNote)).toEqual([]);
  });
});
