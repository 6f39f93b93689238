import { parseJsonFile } from '../json-file.js';
import { z } from 'zod';
import { LockfileParseError, lineColumnAt } from '../../core/errors.js';
import type { PackageScope, SkippedEntry, SourceLocation } from '../../core/types.js';
import { lineOfOffset, makePackage, type PackageFields } from '../package.js';
import type { DependencyFile, ParsedDependencyFile } from '../types.js';
import {
  describeIssue,
  findMemberOffset,
  indexStringMembers,
  showValue,
  type MemberLocator,
} from './json-text.js';
import { readPackageUrl, skippedFromPurl } from './purl.js';

/**
 * CycloneDX versions read. 1.2 and 1.3 are accepted beside 1.4-1.6 because every field vigil reads
 * (`components[].bom-ref/purl/scope/properties/components`, `metadata.component`,
 * `dependencies[].ref/dependsOn`) is defined the same way since 1.2
 * (https://cyclonedx.org/docs/1.2/json/); older BOMs (e.g. OWASP Juice Shop's) are still common.
 */
export const CYCLONEDX_SPEC_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6'] as const;

/** npm's own property for development-only packages (https://github.com/CycloneDX/cyclonedx-property-taxonomy/blob/main/cdx/npm.md). */
const NPM_DEVELOPMENT_PROPERTY = 'cdx:npm:package:development';

const Property = z.looseObject({ name: z.string(), value: z.string().optional() });

/** One `components[]` entry, as far as vigil reads it; nested `components` are checked one by one. */
export const CycloneDxComponent = z.looseObject({
  'bom-ref': z.string().optional(),
  name: z.string().optional(),
  version: z.string().optional(),
  purl: z.string().optional(),
  scope: z.string().optional(),
  properties: z.array(Property).optional(),
  components: z.array(z.unknown()).optional(),
});
export type CycloneDxComponent = z.infer<typeof CycloneDxComponent>;

export const CycloneDxDependency = z.looseObject({
  ref: z.string(),
  dependsOn: z.array(z.string()).optional(),
});
export type CycloneDxDependency = z.infer<typeof CycloneDxDependency>;

/** The BOM's top level, as far as vigil reads it. */
export const CycloneDxBom = z.looseObject({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.enum(CYCLONEDX_SPEC_VERSIONS),
  metadata: z.looseObject({ component: z.unknown().optional() }).optional(),
  components: z.array(z.unknown()).optional(),
  dependencies: z.array(CycloneDxDependency).optional(),
});
export type CycloneDxBom = z.infer<typeof CycloneDxBom>;

/** A component read from the BOM, before the dependency graph is applied. */
interface Candidate {
  readonly key: string;
  readonly fields: Omit<PackageFields, 'direct' | 'dependsOn'>;
}

/**
 * Reads a CycloneDX JSON BOM: every component with a package URL of an audited ecosystem, however
 * deeply nested. `metadata.component` (and its nested components) is the project itself: it is not
 * audited, but its `dependencies` entry says which packages are direct. Keys are `bom-ref`s (the
 * purl when there is none); a package's `purl` is its ecosystem's canonical one, qualifiers dropped,
 * so a package has the same purl whichever file it was read from.
 */
export function parseCycloneDxJson(file: DependencyFile): ParsedDependencyFile {
  const bom = readBom(file);
  const lineAt = lineOfOffset(file.text);
  const locate = indexStringMembers(file.text, ['bom-ref', 'purl']);

  const roots = new Set<string>();
  collectRootRefs(bom.metadata?.component, roots);
  // The root's own `bom-ref` (and `purl`) occurrence is consumed so components get the next one.
  const rootComponent = CycloneDxComponent.safeParse(bom.metadata?.component);
  if (rootComponent.success) locateComponent(rootComponent.data, locate);

  const candidates: Candidate[] = [];
  const skipped: SkippedEntry[] = [];
  const seen = new Set<string>();
  const visit = (entries: readonly unknown[], trail: string): void => {
    entries.forEach((entry, index) => {
      const where = `${trail}[${index}]`;
      const parsed = CycloneDxComponent.safeParse(entry);
      if (!parsed.success) {
        skipped.push({ location: { file: file.path }, reason: `invalid component ${where}: ${describeIssue(parsed.error)}` });
        return;
      }
      const component = parsed.data;
      const offset = locateComponent(component, locate);
      const location: SourceLocation =
        offset === undefined ? { file: file.path } : { file: file.path, line: lineAt(offset) };
      readComponent(component, location, seen, candidates, skipped);
      if (component.components) visit(component.components, `${where}.components`);
    });
  };
  visit(bom.components ?? [], 'components');

  const graph = new Map<string, readonly string[]>();
  for (const dependency of bom.dependencies ?? []) {
    graph.set(dependency.ref, [...(graph.get(dependency.ref) ?? []), ...(dependency.dependsOn ?? [])]);
  }
  // Directness needs both a graph and the project's place in it; otherwise the BOM does not say.
  const rootEdges = [...roots].filter((ref) => graph.has(ref));
  const direct = new Set(rootEdges.flatMap((ref) => graph.get(ref) ?? []));
  const knowsDirectness = rootEdges.length > 0;
  const keys = new Set(candidates.map((candidate) => candidate.key));

  const packages = candidates.map(({ key, fields }) =>
    makePackage({
      ...fields,
      direct: knowsDirectness ? direct.has(key) : 'unknown',
      // Edges to components that were skipped or are the project itself have no package to point at.
      dependsOn: [...new Set(graph.get(key) ?? [])].filter((target) => keys.has(target)),
    }),
  );
  return { packages, skipped, related: [] };
}

function readBom(file: DependencyFile): CycloneDxBom {
  const document = parseJsonFile(file, 'CycloneDX BOM', 'the BOM is truncated or not JSON; regenerate it');
  const result = CycloneDxBom.safeParse(document);
  if (result.success) return result.data;
  const top = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  const lineOfMember = (key: string): SourceLocation => {
    const offset = findMemberOffset(file.text, key);
    return offset === undefined ? { file: file.path } : { file: file.path, line: lineColumnAt(file.text, offset).line };
  };
  if (top.bomFormat !== 'CycloneDX') {
    throw new LockfileParseError(`not a CycloneDX BOM: "bomFormat" is ${showValue(top.bomFormat)}`, {
      location: lineOfMember('bomFormat'),
    });
  }
  if (!(CYCLONEDX_SPEC_VERSIONS as readonly unknown[]).includes(top.specVersion)) {
    throw new LockfileParseError(
      `unsupported CycloneDX specVersion ${showValue(top.specVersion)}`,
      {
        location: lineOfMember('specVersion'),
        hint: `vigil reads CycloneDX JSON ${CYCLONEDX_SPEC_VERSIONS.join(', ')}`,
      },
    );
  }
  const issue = result.error.issues[0];
  const member = typeof issue?.path[0] === 'string' ? issue.path[0] : undefined;
  throw new LockfileParseError(`invalid CycloneDX BOM: ${describeIssue(result.error)}`, {
    location: member === undefined ? { file: file.path } : lineOfMember(member),
  });
}

/** `bom-ref`s of the project: `metadata.component` and the components nested in it. */
function collectRootRefs(entry: unknown, roots: Set<string>): void {
  const parsed = CycloneDxComponent.safeParse(entry);
  if (!parsed.success) return;
  const ref = parsed.data['bom-ref'] ?? parsed.data.purl;
  if (ref !== undefined) roots.add(ref);
  for (const nested of parsed.data.components ?? []) collectRootRefs(nested, roots);
}

function locateComponent(component: CycloneDxComponent, locate: MemberLocator): number | undefined {
  const byRef = component['bom-ref'] === undefined ? undefined : locate('bom-ref', component['bom-ref']);
  const byPurl = component.purl === undefined ? undefined : locate('purl', component.purl);
  return byRef ?? byPurl;
}

function readComponent(
  component: CycloneDxComponent,
  location: SourceLocation,
  seen: Set<string>,
  candidates: Candidate[],
  skipped: SkippedEntry[],
): void {
  const written = {
    ...(component.name === undefined ? {} : { name: component.name }),
    ...(component.version === undefined ? {} : { version: component.version }),
  };
  if (component.purl === undefined || component.purl === '') {
    skipped.push({ location, ...written, reason: 'no package URL' });
    return;
  }
  const reading = readPackageUrl(component.purl);
  if (reading.kind === 'skipped') {
    skipped.push(skippedFromPurl(location, written, reading));
    return;
  }
  const key = component['bom-ref'] ?? component.purl;
  if (seen.has(key)) {
    skipped.push({ location, ...written, ecosystem: reading.ecosystem, reason: `duplicate bom-ref "${key}"` });
    return;
  }
  seen.add(key);
  candidates.push({
    key,
    fields: {
      key,
      ecosystem: reading.ecosystem,
      name: reading.name,
      version: reading.version,
      location,
      scopes: scopesOf(component),
    },
  });
}

/**
 * Scopes from the component itself (CycloneDX dependencies carry no edge kinds).
 * - npm's `cdx:npm:package:development` property means a dev package. npm also writes
 *   `scope: "optional"` on every dev package (it is not needed at run time), so with the property
 *   the scope is not read as an optional dependency.
 * - `scope: "excluded"` marks components "not reachable within a call graph at runtime", used for
 *   test and build tooling (https://cyclonedx.org/docs/1.6/json/#components_items_scope): `dev`.
 */
function scopesOf(component: CycloneDxComponent): PackageScope[] {
  const development = component.properties?.some(
    (property) => property.name === NPM_DEVELOPMENT_PROPERTY && property.value === 'true',
  );
  if (development === true || component.scope === 'excluded') return ['dev'];
  if (component.scope === 'optional') return ['optional'];
  return [];
}

