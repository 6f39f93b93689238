import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileParseError } from '../../../src/core/errors.js';
import type { Directness, EcosystemId, PackageScope, SkippedKind } from '../../../src/core/types.js';
import { cycloneDxJsonParser } from '../../../src/ecosystems/sbom/parsers.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';

/** The parts of a Package a case pins down. */
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
  const result = await parseFile(cycloneDxJsonParser, fixture('sbom', name));
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
    files: new Set([...result.packages.map((p) => p.location.file), ...result.skipped.map((s) => s.location.file)]),
  };
}

const fixtureCases: readonly FixtureCase[] = [
  {
    name: 'PyPI components with a dependency graph, optional and excluded scopes',
    input: 'pypi-components.cdx.json',
    want: {
      packages: [
        {
          key: 'pkg:pypi/django@4.2.7',
          ecosystem: 'PyPI',
          name: 'Django',
          version: '4.2.7',
          purl: 'pkg:pypi/django@4.2.7',
          line: 18,
          direct: true,
          scopes: [],
          dependsOn: ['pkg:pypi/asgiref@3.7.2'],
        },
        {
          key: 'pkg:pypi/asgiref@3.7.2',
          ecosystem: 'PyPI',
          name: 'asgiref',
          version: '3.7.2',
          purl: 'pkg:pypi/asgiref@3.7.2',
          line: 25,
          direct: false,
          scopes: [],
          dependsOn: ['pkg:pypi/typing-extensions@4.8.0'],
        },
        {
          key: 'pkg:pypi/typing-extensions@4.8.0',
          ecosystem: 'PyPI',
          name: 'typing_extensions',
          version: '4.8.0',
          purl: 'pkg:pypi/typing-extensions@4.8.0',
          line: 32,
          direct: false,
          scopes: ['optional'],
          dependsOn: [],
        },
        {
          key: 'pkg:pypi/pytest@7.4.3',
          ecosystem: 'PyPI',
          name: 'pytest',
          version: '7.4.3',
          purl: 'pkg:pypi/pytest@7.4.3',
          line: 40,
          direct: true,
          scopes: ['dev'],
          dependsOn: [],
        },
      ],
      skipped: [],
    },
  },
  {
    name: 'purl types that are not audited, no version, invalid purl (no graph: directness unknown)',
    input: 'unsupported-purl-types.cdx.json',
    want: {
      packages: [
        {
          key: 'npm-scoped',
          ecosystem: 'npm',
          name: '@babel/core',
          version: '7.23.2',
          purl: 'pkg:npm/%40babel/core@7.23.2',
          line: 42,
          direct: 'unknown',
          scopes: [],
          dependsOn: [],
        },
      ],
      skipped: [
        { line: 8, name: 'org.apache.commons/commons-text', version: '1.9', reason: 'unsupported package type "maven"', kind: 'not-audited' },
        { line: 15, name: 'golang.org/x/text', version: 'v0.3.7', reason: 'unsupported package type "golang"', kind: 'not-audited' },
        { line: 22, name: 'debian/openssl', version: '3.0.11-1~deb12u2', reason: 'unsupported package type "deb"', kind: 'not-audited' },
        { line: 29, name: 'left-pad', ecosystem: 'npm', reason: 'no version' },
        {
          line: 35,
          name: 'lodash',
          version: '4.17.21',
          reason: 'invalid package URL: missing required "pkg" scheme component',
        },
      ],
    },
  },
  {
    name: 'components without a package URL',
    input: 'missing-purl.cdx.json',
    want: {
      packages: [
        {
          key: 'express@4.18.2',
          ecosystem: 'npm',
          name: 'express',
          version: '4.18.2',
          purl: 'pkg:npm/express@4.18.2',
          line: 18,
          direct: 'unknown',
          scopes: [],
          dependsOn: [],
        },
      ],
      skipped: [
        { line: 8, name: 'jquery.min.js', version: '3.6.0', reason: 'no package URL' },
        // Neither bom-ref nor purl: nothing in the text to anchor a line to.
        { line: undefined, name: 'internal-lib', reason: 'no package URL' },
      ],
    },
  },
  {
    name: 'nested components; the project has a nested workspace that holds the direct edges',
    input: 'nested-components.cdx.json',
    want: {
      packages: [
        {
          key: 'react@18.2.0',
          ecosystem: 'npm',
          name: 'react',
          version: '18.2.0',
          purl: 'pkg:npm/react@18.2.0',
          line: 22,
          direct: true,
          scopes: [],
          dependsOn: ['react@18.2.0|loose-envify@1.4.0'],
        },
        {
          key: 'react@18.2.0|loose-envify@1.4.0',
          ecosystem: 'npm',
          name: 'loose-envify',
          version: '1.4.0',
          purl: 'pkg:npm/loose-envify@1.4.0',
          line: 29,
          direct: false,
          scopes: [],
          dependsOn: ['react@18.2.0|loose-envify@1.4.0|js-tokens@4.0.0'],
        },
        {
          key: 'react@18.2.0|loose-envify@1.4.0|js-tokens@4.0.0',
          ecosystem: 'npm',
          name: 'js-tokens',
          version: '4.0.0',
          purl: 'pkg:npm/js-tokens@4.0.0',
          line: 36,
          direct: false,
          scopes: [],
          dependsOn: [],
        },
        {
          key: 'js-tokens@4.0.0',
          ecosystem: 'npm',
          name: 'js-tokens',
          version: '4.0.0',
          purl: 'pkg:npm/js-tokens@4.0.0',
          line: 47,
          direct: false,
          scopes: [],
          dependsOn: [],
        },
      ],
      skipped: [],
    },
  },
  {
    name: 'a bom-ref written twice keeps the first component and shows the second',
    input: 'duplicate-bom-ref.cdx.json',
    want: {
      packages: [
        {
          key: 'ms',
          ecosystem: 'npm',
          name: 'ms',
          version: '2.1.3',
          purl: 'pkg:npm/ms@2.1.3',
          line: 8,
          direct: 'unknown',
          scopes: [],
          dependsOn: [],
        },
      ],
      skipped: [{ line: 15, name: 'ms', version: '2.0.0', ecosystem: 'npm', reason: 'duplicate bom-ref "ms"' }],
    },
  },
  {
    name: 'a component of the wrong shape is skipped, the others are read',
    input: 'invalid-component.cdx.json',
    want: {
      packages: [
        {
          key: 'pkg:pypi/idna@3.4',
          ecosystem: 'PyPI',
          name: 'idna',
          version: '3.4',
          purl: 'pkg:pypi/idna@3.4',
          line: 13,
          direct: 'unknown',
          scopes: [],
          dependsOn: [],
        },
      ],
      skipped: [{ line: undefined, reason: 'invalid component components[0]: purl: Invalid input: expected string, received number' }],
    },
  },
];

describe('cyclonedx-json fixtures', () => {
  it.each(fixtureCases)('$name', async ({ input, want }) => {
    const got = await parseFixture(input);
    expect(got.packages).toEqual(want.packages);
    expect(got.skipped).toEqual(want.skipped);
    expect(got.files).toEqual(new Set(got.packages.length + got.skipped.length > 0 ? [input] : []));
  });
});

interface ErrorCase {
  readonly name: string;
  readonly input: string;
  readonly wantError: { readonly message: RegExp; readonly line: number | undefined; readonly hint?: RegExp };
}

const errorCases: readonly ErrorCase[] = [
  {
    name: 'specVersion outside 1.2-1.6',
    input: 'unsupported-spec-version.cdx.json',
    wantError: { message: /^unsupported CycloneDX specVersion "1\.1"$/, line: 3, hint: /1\.2, 1\.3, 1\.4, 1\.5, 1\.6/ },
  },
  {
    name: 'specVersion missing',
    input: 'missing-spec-version.cdx.json',
    wantError: { message: /^unsupported CycloneDX specVersion \(missing\)$/, line: undefined },
  },
  {
    name: 'bomFormat other than CycloneDX',
    input: 'not-cyclonedx.bom.json',
    wantError: { message: /^not a CycloneDX BOM: "bomFormat" is "SomethingElse"$/, line: 2 },
  },
  {
    name: 'components not an array',
    input: 'components-not-an-array.cdx.json',
    wantError: { message: /^invalid CycloneDX BOM: components: /, line: 5 },
  },
  {
    name: 'broken JSON (missing comma) at the line of the error',
    input: 'broken-json.cdx.json',
    wantError: { message: /^invalid JSON in CycloneDX BOM: /, line: 7 },
  },
  {
    name: 'truncated JSON at the last written line',
    input: 'truncated.cdx.json',
    wantError: { message: /^invalid JSON in CycloneDX BOM: /, line: 4 },
  },
];

describe('cyclonedx-json errors', () => {
  it.each(errorCases)('$name', async ({ input, wantError }) => {
    const error: unknown = await parseFile(cycloneDxJsonParser, fixture('sbom', input)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    const parseError = error as LockfileParseError;
    expect(parseError.message).toMatch(wantError.message);
    expect(parseError.location?.file).toBe(input);
    expect(parseError.location?.line).toBe(wantError.line);
    if (wantError.hint) expect(parseError.hint).toMatch(wantError.hint);
    expect(parseError.format()).toMatch(new RegExp(`^${input.replace(/\./g, '\\.')}${wantError.line === undefined ? '' : `:${wantError.line}`}[:\\d]*: `));
  });
});

describe('cyclonedx-json file names', () => {
  it.each([
    { name: 'bom.json', input: 'bom.json', want: true },
    { name: 'tool-versioned bom.1.4.json', input: 'bom.1.4.json', want: true },
    { name: '*.cdx.json', input: 'cyberchef-10.8.2.cdx.json', want: true },
    { name: '*.bom.json', input: 'app.bom.json', want: true },
    { name: 'sbom.json', input: 'sbom.json', want: true },
    { name: 'sbom-*.json', input: 'sbom-prod.json', want: true },
    { name: '*.sbom.json', input: 'web.sbom.json', want: true },
    { name: 'upper case', input: 'BOM.JSON', want: true },
    { name: 'SPDX by name', input: 'app.spdx.json', want: false },
    { name: 'package.json', input: 'package.json', want: false },
    { name: 'XML BOM', input: 'bom.xml', want: false },
    { name: 'bombastic.json is not bom.*.json', input: 'bombastic.json', want: false },
  ])('$name', ({ input, want }) => {
    expect(cycloneDxJsonParser.matchesFileName(input)).toBe(want);
  });
});

describe('cyclonedx-json sniff', () => {
  it.each([
    { name: 'CycloneDX', input: '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.5"\n}', want: true },
    { name: 'compact JSON', input: '{"specVersion":"1.6","bomFormat":"CycloneDX"}', want: true },
    { name: 'unsupported version still sniffed, so parse can say why', input: '{"bomFormat":"CycloneDX","specVersion":"1.1"}', want: true },
    { name: 'SPDX', input: '{"spdxVersion":"SPDX-2.3"}', want: false },
    { name: 'other JSON', input: '{"name":"bom","version":"1.0.0"}', want: false },
  ])('$name', ({ input, want }) => {
    expect(cycloneDxJsonParser.sniff?.(input)).toBe(want);
  });
});

// Independent readings of the real BOMs, written plainly from the JSON.
interface RawComponent {
  readonly 'bom-ref'?: string;
  readonly purl?: string;
  readonly components?: readonly RawComponent[];
}
interface RawBom {
  readonly specVersion: string;
  readonly metadata?: { readonly component?: RawComponent };
  readonly components?: readonly RawComponent[];
  readonly dependencies?: readonly { readonly ref: string; readonly dependsOn?: readonly string[] }[];
}

function countNpmComponents(components: readonly RawComponent[] | undefined): number {
  let count = 0;
  for (const component of components ?? []) {
    if (component.purl?.startsWith('pkg:npm/')) count++;
    count += countNpmComponents(component.components);
  }
  return count;
}

interface RealCase {
  readonly name: string;
  readonly input: readonly string[];
  readonly want: { readonly specVersion: string; readonly packages: number; readonly direct: number | 'unknown' };
}

const realCases: readonly RealCase[] = [
  {
    name: 'OWASP Juice Shop v11.1.2 (CycloneDX 1.2, no dependency graph)',
    input: ['corpus', 'sbom-cyclonedx', 'juice-shop', 'SBOM', 'juice-shop', 'v11.1.2', 'bom.json'],
    want: { specVersion: '1.2', packages: 840, direct: 'unknown' },
  },
  {
    name: 'OWASP Juice Shop via cyclonedx-npm (CycloneDX 1.4, flat)',
    input: ['corpus', 'sbom-cyclonedx', 'juice-shop', 'SBOM', 'juice-shop', 'via_npm', 'flat', 'bom.1.4.json'],
    want: { specVersion: '1.4', packages: 1115, direct: 71 },
  },
  {
    name: 'CyberChef 10.8.2 via npm sbom (CycloneDX 1.5)',
    input: ['corpus', 'sbom-cyclonedx', 'cyberchef-npm-sbom', 'cyberchef-10.8.2.cdx.json'],
    want: { specVersion: '1.5', packages: 1253, direct: 136 },
  },
];

describe('cyclonedx-json real BOMs', () => {
  it.each(realCases)('$name', async ({ input, want }) => {
    const absolute = shared(...input);
    const text = readFileSync(absolute, 'utf8');
    const raw = JSON.parse(text) as RawBom;
    expect(cycloneDxJsonParser.matchesFileName(path.basename(absolute))).toBe(true);
    expect(cycloneDxJsonParser.sniff?.(text)).toBe(true);

    const result = await parseFile(cycloneDxJsonParser, absolute);
    expect(raw.specVersion).toBe(want.specVersion);
    expect(result.packages).toHaveLength(countNpmComponents(raw.components));
    expect(result.packages).toHaveLength(want.packages);
    expect(result.skipped).toEqual([]);
    expect(new Set(result.packages.map((p) => p.key)).size).toBe(result.packages.length);

    // Directness: the root's own dependsOn, read plainly.
    const rootRef = raw.metadata?.component?.['bom-ref'];
    const rootDeps = raw.dependencies?.find((d) => d.ref === rootRef)?.dependsOn;
    const direct = result.packages.filter((p) => p.direct === true).map((p) => p.key);
    if (want.direct === 'unknown') {
      expect(rootDeps).toBeUndefined();
      expect(result.packages.every((p) => p.direct === 'unknown')).toBe(true);
    } else {
      expect(new Set(direct)).toEqual(new Set(rootDeps));
      expect(direct).toHaveLength(want.direct);
    }

    // Each package points at the line of its own bom-ref.
    const lines = text.split('\n');
    for (const p of result.packages) {
      expect(lines[(p.location.line ?? 0) - 1]).toContain(`"bom-ref": ${JSON.stringify(p.key)}`);
    }
  });
});
