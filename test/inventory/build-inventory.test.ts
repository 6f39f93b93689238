import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NothingToAuditError, UsageError } from '../../src/core/errors.js';
import { makePackage } from '../../src/ecosystems/package.js';
import type { LockfileParser } from '../../src/ecosystems/types.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';

/** A stand-in format: `pins.txt`, one `name==version` a line, `-r other` includes. */
const pinsParser: LockfileParser = {
  id: 'pins',
  ecosystems: ['PyPI'],
  matchesFileName: (name) => name.endsWith('pins.txt'),
  async parse(file, context) {
    const related: string[] = [];
    const packages = [];
    for (const [index, line] of file.text.split('\n').entries()) {
      const include = /^-r (.+)$/.exec(line);
      if (include?.[1]) {
        const other = await context.readRelated(include[1]);
        if (other) related.push(other.path);
        continue;
      }
      const pin = /^(.+)==(.+)$/.exec(line);
      if (pin?.[1] && pin[2]) {
        packages.push(
          makePackage({ ecosystem: 'PyPI', name: pin[1], version: pin[2], location: { file: file.path, line: index + 1 }, direct: true }),
        );
      }
    }
    return { packages, skipped: [], related };
  },
};

/** A format told apart by content, like an SBOM. */
const sniffedParser: LockfileParser = {
  id: 'sniffed',
  ecosystems: ['npm'],
  matchesFileName: (name) => name === 'bom.json',
  sniff: (text) => text.includes('"bomFormat"'),
  parse: () => Promise.resolve({ packages: [], skipped: [], related: [] }),
};

let root: string;
const write = (relative: string, text: string): void => {
  const target = path.join(root, relative);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
};

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'vigil-inventory-'));
});
afterEach(() => { rmSync(root, { recursive: true, force: true }); });

const build = (paths: string[] = [root]) => buildInventory({ paths, root, parsers: [pinsParser, sniffedParser] });

describe('buildInventory', () => {
  it('finds files in subfolders but not in node_modules, .git or a virtualenv under any name', async () => {
    write('pins.txt', 'a==1.0\n');
    write('service/pins.txt', 'b==2.0\n');
    write('node_modules/x/pins.txt', 'c==1.0\n');
    write('.git/pins.txt', 'd==1.0\n');
    write('env-py311/pyvenv.cfg', 'home = /usr/bin\n');
    write('env-py311/lib/pins.txt', 'e==1.0\n');
    const inventory = await build();
    expect(inventory.sources.map((source) => source.path).sort()).toEqual(['pins.txt', 'service/pins.txt']);
    expect(inventory.packages.map((pkg) => pkg.name).sort()).toEqual(['a', 'b']);
  });

  it('keeps a version its ecosystem cannot order, marked unparsed, and lists it as skipped for the ranges', async () => {
    write('pins.txt', 'good==1.0\nbad==1.x\n');
    const inventory = await build();
    expect(inventory.packages.map((pkg) => [pkg.name, pkg.unparsedVersion])).toEqual([
      ['good', undefined],
      ['bad', true],
    ]);
    expect(inventory.skipped).toEqual([
      {
        location: { file: 'pins.txt', line: 2 },
        name: 'bad',
        version: '1.x',
        ecosystem: 'PyPI',
        reason: 'invalid PEP 440 version "1.x" (matched only against versions advisories list)',
        kind: 'unparsed-version',
      },
    ]);
    expect(inventory.sources[0]).toMatchObject({ packages: 2, skipped: 1 });
  });

  it('does not count a file twice when another file of its format includes it', async () => {
    write('pins.txt', '-r common-pins.txt\na==1.0\n');
    write('common-pins.txt', 'b==1.0\n');
    const inventory = await build();
    expect(inventory.sources.map((source) => source.path)).toEqual(['pins.txt']);
    expect(inventory.sources[0]?.related).toEqual(['common-pins.txt']);
  });

  it('prefixes package keys with their file so two lockfiles cannot collide', async () => {
    write('a/pins.txt', 'same==1.0\n');
    write('b/pins.txt', 'same==1.0\n');
    const keys = (await build()).packages.map((pkg) => pkg.key).sort();
    expect(keys).toEqual(['a/pins.txt#same@1.0', 'b/pins.txt#same@1.0']);
  });

  it('shows a file whose name matched but whose content is no known format', async () => {
    write('pins.txt', 'a==1.0\n');
    write('bom.json', '{"not": "an sbom"}');
    const inventory = await build();
    expect(inventory.skipped).toEqual([{ location: { file: 'bom.json' }, reason: expect.stringMatching(/not a recognised/) as string }]);
  });

  it('refuses a file named on the command line that no parser reads', async () => {
    write('notes.txt', 'hello');
    await expect(build([path.join(root, 'notes.txt')])).rejects.toThrow(UsageError);
  });

  it('says so when there is nothing to audit', async () => {
    write('README.md', '# nothing here');
    await expect(build()).rejects.toThrow(NothingToAuditError);
  });

  it('refuses a path that does not exist', async () => {
    await expect(build([path.join(root, 'missing')])).rejects.toThrow(/no such file or directory/);
  });
});
