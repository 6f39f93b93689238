import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileParseError } from '../../../src/core/errors.js';
import type { Directness, EcosystemId, PackageScope, SkippedKind } from '../../../src/core/types.js';
import { spdxJsonParser } from '../../../src/ecosystems/sbom/parsers.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';

interface WantPackage {
  readonly key: string;
  readonly ecosystem: EcosystemId;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly line: number | undefined;
  readonly direct: Directness;
  readonly scopes: readonly PackageScope[];
  readonly dependsOn: readonly string[];
}

interface WantSkipped {
  readonly line: number | undefined;
  readonly name?: string;
  readonly version?: string;
  readonly ecosystem?: EcosystemId;
  readonly reason: string;
  readonly kind?: SkippedKind;
}

interface FixtureCase {
  readonly name: string;
  readonly input: string;
  readonly want: { readonly packages: readonly WantPackage[]; readonly skipped: readonly WantSkipped[] };
}

async function parseFixture(name: string) {
  const result = await parseFile(spdxJsonParser, fixture('sbom', name));
  return {
    packages: result.packages.map(({ key, ecosystem, name: packageName, version, purl, location, direct, scopes, dependsOn }) => ({
      key,
      ecosystem,
      name: packageName,
      version,
      purl,
      line: location.line,
      direct,
      scopes,
      dependsOn,
    })),
    skipped: result.skipped.map(({ location, ...rest }) => ({ line: location.line, ...rest })),
  };
}

const fixtureCases: readonly FixtureCase[] = [
  {
    name: 'PyPI packages: DEPENDS_ON and *_OF edges, dev and optional scopes, CONTAINS is no edge',
    input: 'pypi-packages.spdx.json',
    want: {
      packages: [
        {
          key: 'SPDXRef-Package-django',
          ecosystem: 'PyPI',
          name: 'Django',
          version: '4.2.7',
          purl: 'pkg:pypi/django@4.2.7',
          line: 20,
          direct: true,
          scopes: [],
          dependsOn: ['SPDXRef-Package-sqlparse'],
        },
        {
          key: 'SPDXRef-Package-sqlparse',
          ecosystem: 'PyPI',
          name: 'sqlparse',
          version: '0.4.4',
          purl: 'pkg:pypi/sqlparse@0.4.4',
          line: 30,
          direct: false,
          scopes: [],
          dependsOn: [],
        },
        {
          key: 'SPDXRef-Package-pytest',
          ecosystem: 'PyPI',
          name: 'pytest',
          version: '7.4.3',
          purl: 'pkg:pypi/pytest@7.4.3',
          line: 39,
          direct: true,
          scopes: ['dev'],
          dependsOn: ['SPDXRef-Package-colorama'],
        },
        {
          // Reached only through pytest (dev) and then an optional edge.
          key: 'SPDXRef-Package-colorama',
          ecosystem: 'PyPI',
          name: 'colorama',
          version: '0.4.6',
          purl: 'pkg:pypi/colorama@0.4.6',
          line: 48,
          direct: false,
          scopes: ['dev', 'optional'],
          dependsOn: [],
        },
      ],
      skipped: [
        { line: 57, name: 'vendored-tool', version: '1.0', reason: 'no package URL' },
        { line: 63, name: 'org.apache.commons/commons-text', version: '1.9', reason: 'unsupported package type "maven"', kind: 'not-audited' },
      ],
    },
  },
  {
    name: 'SPDX 2.2, flat package list (no edges: directness unknown), a second purl shown',
    input: 'flat-package-list.v2.2.spdx.json',
    want: {
      packages: [
        {
          key: 'SPDXRef-Package-types-node',
          ecosystem: 'npm',
          name: '@types/node',
          version: '20.8.0',
          purl: 'pkg:npm/%40types/node@20.8.0',
          line: 16,
          direct: 'unknown',
          scopes: [],
          dependsOn: [],
        },
        {
          key: 'SPDXRef-Package-requests',
          ecosystem: 'PyPI',
          name: 'requests',
          version: '2.31.0',
          purl: 'pkg:pypi/requests@2.31.0',
          line: 25,
          direct: 'unknown',
          scopes: [],
          dependsOn: [],
        },
        {
          key: 'SPDXRef-Package-left-pad',
          ecosystem: 'npm',
          name: 'left-pad',
          version: '1.3.0',
          purl: 'pkg:npm/left-pad@1.3.0',
          line: 34,
          direct: 'unknown',
          scopes: [],
          dependsOn: [],
        },
      ],
      skipped: [
        {
          line: 34,
          name: 'left-pad',
          version: '1.3.0',
          reason: 'second package URL "pkg:github/stevemao/left-pad@v1.3.0" not audited; audited "pkg:npm/left-pad@1.3.0"',
          kind: 'not-audited',
        },
      ],
    },
  },
];

describe('spdx-json fixtures', () => {
  it.each(fixtureCases)('$name', async ({ input, want }) => {
    const got = await parseFixture(input);
    expect(got.packages).toEqual(want.packages);
    expect(got.skipped).toEqual(want.skipped);
  });
});

interface ErrorCase {
  readonly name: string;
  readonly input: string;
  readonly wantError: { readonly message: RegExp; readonly line: number | undefined; readonly hint?: RegExp };
}

const errorCases: readonly ErrorCase[] = [
  {
    name: 'SPDX version other than 2.2/2.3',
    input: 'unsupported-version.spdx.json',
    wantError: { message: /^unsupported SPDX version "SPDX-2\.1"$/, line: 2, hint: /SPDX-2\.2, SPDX-2\.3/ },
  },
  {
    name: 'broken JSON (trailing comma) at the line of the error',
    input: 'broken-json.spdx.json',
    wantError: { message: /^invalid JSON in SPDX document: /, line: 5 },
  },
];

describe('spdx-json errors', () => {
  it.each(errorCases)('$name', async ({ input, wantError }) => {
    const error: unknown = await parseFile(spdxJsonParser, fixture('sbom', input)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    const parseError = error as LockfileParseError;
    expect(parseError.message).toMatch(wantError.message);
    expect(parseError.location?.file).toBe(input);
    expect(parseError.location?.line).toBe(wantError.line);
    if (wantError.hint) expect(parseError.hint).toMatch(wantError.hint);
  });
});

describe('spdx-json file names', () => {
  it.each([
    { name: '*.spdx.json', input: 'cyberchef-10.8.2.spdx.json', want: true },
    { name: 'upper case', input: 'APP.SPDX.JSON', want: true },
    { name: 'sbom.json', input: 'sbom.json', want: true },
    { name: '*.sbom.json', input: 'web.sbom.json', want: true },
    { name: 'CycloneDX by name', input: 'bom.json', want: false },
    { name: '*.cdx.json', input: 'app.cdx.json', want: false },
    { name: 'tag-value SPDX', input: 'app.spdx', want: false },
    { name: 'package.json', input: 'package.json', want: false },
  ])('$name', ({ input, want }) => {
    expect(spdxJsonParser.matchesFileName(input)).toBe(want);
  });
});

describe('spdx-json sniff', () => {
  it.each([
    { name: 'SPDX 2.3', input: '{\n  "spdxVersion": "SPDX-2.3",\n  "SPDXID": "SPDXRef-DOCUMENT"\n}', want: true },
    { name: 'SPDX 2.2 compact', input: '{"spdxVersion":"SPDX-2.2"}', want: true },
    { name: 'unsupported version still sniffed, so parse can say why', input: '{"spdxVersion":"SPDX-2.1"}', want: true },
    { name: 'CycloneDX', input: '{"bomFormat":"CycloneDX","specVersion":"1.5"}', want: false },
    { name: 'other JSON', input: '{"name":"sbom"}', want: false },
  ])('$name', ({ input, want }) => {
    expect(spdxJsonParser.sniff?.(input)).toBe(want);
  });
});

// An independent reading of the real document, written plainly from the JSON.
interface RawSpdx {
  readonly spdxVersion: string;
  readonly documentDescribes?: readonly string[];
  readonly packages: readonly {
    readonly SPDXID: string;
    readonly externalRefs?: readonly { readonly referenceType: string; readonly referenceLocator: string }[];
  }[];
  readonly relationships: readonly { readonly spdxElementId: string; readonly relatedSpdxElement: string; readonly relationshipType: string }[];
}

describe('spdx-json real documents', () => {
  it('CyberChef 10.8.2 via npm sbom (SPDX 2.3)', async () => {
    const absolute = shared('corpus', 'sbom-spdx', 'cyberchef-npm-sbom', 'cyberchef-10.8.2.spdx.json');
    const text = readFileSync(absolute, 'utf8');
    const raw = JSON.parse(text) as RawSpdx;
    expect(spdxJsonParser.matchesFileName(path.basename(absolute))).toBe(true);
    expect(spdxJsonParser.sniff?.(text)).toBe(true);
    expect(raw.spdxVersion).toBe('SPDX-2.3');

    const described = new Set(
      raw.relationships.filter((r) => r.relationshipType === 'DESCRIBES').map((r) => r.relatedSpdxElement),
    );
    expect(described).toEqual(new Set(raw.documentDescribes));
    const npmPackages = raw.packages.filter(
      (p) => !described.has(p.SPDXID) && p.externalRefs?.some((ref) => ref.referenceType === 'purl' && ref.referenceLocator.startsWith('pkg:npm/')),
    );
    // npm writes every edge as "<dependency> *_OF <dependent>" (PREREQUISITE_FOR for peers).
    const directIds = new Set(
      raw.relationships
        .filter((r) => described.has(r.relatedSpdxElement) && /_OF$|^PREREQUISITE_FOR$/.test(r.relationshipType))
        .map((r) => r.spdxElementId),
    );

    const result = await parseFile(spdxJsonParser, absolute);
    expect(result.skipped).toEqual([]);
    expect(result.packages).toHaveLength(npmPackages.length);
    expect(result.packages).toHaveLength(1253);
    expect(new Set(result.packages.filter((p) => p.direct === true).map((p) => p.key))).toEqual(directIds);
    expect(directIds.size).toBe(136);

    const lines = text.split('\n');
    for (const p of result.packages) {
      expect(lines[(p.location.line ?? 0) - 1]).toContain(`"SPDXID": ${JSON.stringify(p.key)}`);
    }
  });
});
