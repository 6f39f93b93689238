import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findYarnV1Hazard } from '../../../src/ecosystems/npm/yarn-lock-v1-check.js';
import { isYarnBerryLock } from '../../../src/ecosystems/npm/yarn-lock.js';
import { fixture, shared } from '../../helpers/shared-data.js';

// The scan in front of @yarnpkg/lockfile must pass every real Yarn Classic lockfile (it only
// stops what would hang the library or run it off the stack) and stop every cut-short one.

const folders = [
  'fixtures/osv-scanner/pkg/lockfile/fixtures/yarn',
  'fixtures/osv-scalibr/extractor/filesystem/language/javascript/yarnlock/testdata',
];

function realClassicLockfiles(): { name: string; text: string }[] {
  const files = [{ name: 'corpus/npm/treeherder/yarn.lock', file: shared('corpus/npm/treeherder/yarn.lock') }];
  for (const folder of folders) {
    for (const entry of readdirSync(shared(folder))) if (entry.endsWith('.lock')) files.push({ name: `${folder}/${entry}`, file: path.join(shared(folder), entry) });
  }
  files.push({ name: 'test/fixtures/npm/yarn-v1-project/yarn.lock', file: fixture('npm', 'yarn-v1-project', 'yarn.lock') });
  return files.map(({ name, file }) => ({ name, text: readFileSync(file, 'utf8') })).filter(({ text }) => !isYarnBerryLock(text));
}

describe('findYarnV1Hazard', () => {
  const lockfiles = realClassicLockfiles();

  it('finds Yarn Classic lockfiles to check', () => {
    expect(lockfiles.length).toBeGreaterThan(15);
  });

  it.each(lockfiles)('passes the real $name', ({ text }) => {
    expect(findYarnV1Hazard(text.endsWith('\n') ? text : `${text}\n`)).toBeUndefined();
  });

  it('stops the real treeherder lockfile cut inside any of 200 strings', () => {
    const text = lockfiles[0]?.text ?? '';
    const opens = [...text.matchAll(/(?<=[\s,])"/g)].map((match) => match.index);
    const step = Math.max(1, Math.floor(opens.length / 200));
    for (let index = 0; index < opens.length; index += step) {
      const cut = (opens[index] ?? 0) + 1;
      const hazard = findYarnV1Hazard(`${text.slice(0, cut)}\n`);
      expect(hazard, `cut at ${cut}`).toEqual({ line: text.slice(0, cut).split('\n').length, message: expect.stringMatching(/not closed on its line/) as string });
    }
  });

  it.each([
    { name: 'an escaped quote does not close a string', text: 'a "b\\"\n', hazard: true },
    { name: 'an escaped backslash before the quote does', text: 'a "b\\\\"\n', hazard: false },
    { name: 'a quote inside a comment is not a string', text: '# say "hi\na b\n', hazard: false },
    { name: 'a quote inside an unquoted word is not a string', text: 'a b"c\n', hazard: false },
    { name: 'a string after a comma', text: 'a, "b\n', hazard: true },
  ])('$name', ({ text, hazard }) => {
    expect(findYarnV1Hazard(text) !== undefined).toBe(hazard);
  });
});
