import { describe, expect, it } from 'vitest';
import { pypiParsers } from '../../../src/ecosystems/pypi/parsers.js';

describe('pypiParsers', () => {
  it('lists each format once, all yielding PyPI packages', () => {
    const ids = pypiParsers.map((parser) => parser.id);
    expect(ids).toEqual(['poetry.lock', 'uv.lock', 'pdm.lock', 'pylock.toml', 'Pipfile.lock', 'requirements.txt', 'installed-metadata']);
    expect(pypiParsers.every((parser) => parser.ecosystems.join() === 'PyPI')).toBe(true);
  });

  // Each file name belongs to exactly one format (or none): discovery must never have to choose.
  it.each([
    { fileName: 'poetry.lock', want: ['poetry.lock'] },
    { fileName: 'uv.lock', want: ['uv.lock'] },
    { fileName: 'pdm.lock', want: ['pdm.lock'] },
    { fileName: 'pylock.toml', want: ['pylock.toml'] },
    { fileName: 'pylock.docs.toml', want: ['pylock.toml'] },
    { fileName: 'Pipfile.lock', want: ['Pipfile.lock'] },
    { fileName: 'requirements.txt', want: ['requirements.txt'] },
    { fileName: 'requirements-dev.txt', want: ['requirements.txt'] },
    { fileName: 'pyproject.toml', want: [] },
    { fileName: 'Pipfile', want: [] },
    { fileName: 'setup.py', want: [] },
    { fileName: 'constraints.txt', want: [] },
  ])('$fileName is read by $want', ({ fileName, want }) => {
    expect(pypiParsers.filter((parser) => parser.matchesFileName(fileName)).map((parser) => parser.id)).toEqual(want);
  });
});
