// Contract test: every registered ecosystem and parser is complete, so a new module cannot be
// half-registered (a parser whose lazy implementation fails to load would only show on a real file).
import { describe, expect, it } from 'vitest';
import { ECOSYSTEM_IDS } from '../../src/core/types.js';
import { ecosystems, lockfileParsers } from '../../src/ecosystems/registry.js';
import type { DependencyFile } from '../../src/ecosystems/types.js';

/** A smallest valid file per parser id, with the number of packages it locks. */
const samples: Record<string, { name: string; text: string; packages: number }> = {
  'package-lock.json': { name: 'package-lock.json', text: '{"lockfileVersion": 3, "packages": {"": {}}}', packages: 0 },
  'yarn.lock': { name: 'yarn.lock', text: '# yarn lockfile v1\n\n"ms@^2.1.1":\n  version "2.1.3"\n', packages: 1 },
  'pnpm-lock.yaml': { name: 'pnpm-lock.yaml', text: "lockfileVersion: '9.0'\n", packages: 0 },
  'poetry.lock': { name: 'poetry.lock', text: '[[package]]\nname = "six"\nversion = "1.16.0"\n\n[metadata]\nlock-version = "2.0"\n', packages: 1 },
  'uv.lock': { name: 'uv.lock', text: 'version = 1\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\n', packages: 0 },
  'pdm.lock': { name: 'pdm.lock', text: '[metadata]\nlock_version = "4.4.1"\n', packages: 0 },
  'pylock.toml': { name: 'pylock.toml', text: 'lock-version = "1.0"\n', packages: 0 },
  'Pipfile.lock': { name: 'Pipfile.lock', text: '{"_meta": {"pipfile-spec": 6}, "default": {}, "develop": {}}', packages: 0 },
  'requirements.txt': { name: 'requirements.txt', text: 'six==1.16.0\n', packages: 1 },
  // No os-release beside it (readRelated finds nothing): its one package is an unevaluable entry.
  'dpkg-status': { name: 'var/lib/dpkg/status', text: 'Package: a\nStatus: install ok installed\nVersion: 1.0-1\n', packages: 0 },
  'installed-metadata': { name: 'site-packages/six-1.16.0.dist-info/METADATA', text: 'Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n', packages: 1 },
  'installed-package-json': { name: 'node_modules/ms/package.json', text: '{"name": "ms", "version": "2.1.3"}', packages: 1 },
  'cyclonedx-json': { name: 'bom.json', text: '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}', packages: 0 },
  'spdx-json': {
    name: 'app.spdx.json',
    text: '{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "x", "packages": []}',
    packages: 0,
  },
};

describe('ecosystem registry', () => {
  it('has exactly the OSV ecosystems vigil supports', () => {
    expect(Object.keys(ecosystems).sort()).toEqual([...ECOSYSTEM_IDS].sort());
  });

  it.each(Object.entries(ecosystems))('%s is complete', (id, ecosystem) => {
    expect(ecosystem.id).toBe(id);
    expect(ecosystem.purlType).toMatch(/^[a-z]+$/);
    expect(ecosystem.versions.compare('1.0.0', '2.0.0')).toBeLessThan(0);
    expect(ecosystem.versions.isValid('not a version')).toBe(false);
    const normalized = ecosystem.normalizeName('Some_Name');
    expect(ecosystem.normalizeName(normalized)).toBe(normalized);
    // A namespace where the purl type has one (`pkg:deb/debian/x`).
    expect(ecosystem.purl('x', '1.0.0')).toMatch(new RegExp(`^pkg:${ecosystem.purlType}/([a-z]+/)?x@1\\.0\\.0$`));
  });
});

describe('parser registry', () => {
  it('has unique ids', () => {
    const ids = lockfileParsers.map((parser) => parser.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a sample for every parser (add one with a new parser)', () => {
    expect(lockfileParsers.map((parser) => parser.id).sort()).toEqual(Object.keys(samples).sort());
  });

  it.each(lockfileParsers.map((parser) => [parser.id, parser] as const))('%s recognises and parses its sample', async (id, parser) => {
    const sample = samples[id];
    if (!sample) throw new Error(`no sample for ${id}`);
    // Formats recognised by their folder (a dpkg database) name a path as the sample's name.
    expect(parser.matchesFileName(sample.name) || parser.matchesPath?.(sample.name) === true).toBe(true);
    if (parser.sniff) expect(parser.sniff(sample.text)).toBe(true);
    for (const ecosystem of parser.ecosystems) expect(ECOSYSTEM_IDS).toContain(ecosystem);
    const file: DependencyFile = { absolutePath: `/nonexistent/${sample.name}`, path: sample.name, text: sample.text };
    const result = await parser.parse(file, { readRelated: () => Promise.resolve(undefined) });
    expect(result.packages).toHaveLength(sample.packages);
  });
});
