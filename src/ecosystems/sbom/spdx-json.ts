import { parseJsonFile } from '../json-file.js';
import { z } from 'zod';
import { LockfileParseError, lineColumnAt } from '../../core/errors.js';
import { notAudited, type PackageScope, type SkippedEntry, type SourceLocation } from '../../core/types.js';
import { lineOfOffset, makePackage, type PackageFields } from '../package.js';
import type { DependencyFile, ParsedDependencyFile } from '../types.js';
import { describeIssue, findMemberOffset, indexStringMembers, showValue } from './json-text.js';
import { readPackageUrl, skippedFromPurl } from './purl.js';

/** SPDX versions read: 2.2 and 2.3 share the JSON fields vigil reads (packages, externalRefs, relationships). */
export const SPDX_VERSIONS = ['SPDX-2.2', 'SPDX-2.3'] as const;

const ExternalRef = z.looseObject({
  referenceCategory: z.string().optional(),
  referenceType: z.string(),
  referenceLocator: z.string(),
});

/** One `packages[]` entry, as far as vigil reads it. */
export const SpdxPackage = z.looseObject({
  SPDXID: z.string(),
  name: z.string().optional(),
  versionInfo: z.string().optional(),
  externalRefs: z.array(ExternalRef).optional(),
});
export type SpdxPackage = z.infer<typeof SpdxPackage>;

export const SpdxRelationship = z.looseObject({
  spdxElementId: z.string(),
  relatedSpdxElement: z.string(),
  relationshipType: z.string(),
});
export type SpdxRelationship = z.infer<typeof SpdxRelationship>;

/** The document's top level, as far as vigil reads it. */
export const SpdxDocument = z.looseObject({
  spdxVersion: z.enum(SPDX_VERSIONS),
  SPDXID: z.string().optional(),
  documentDescribes: z.array(z.string()).optional(),
  packages: z.array(z.unknown()).optional(),
  relationships: z.array(SpdxRelationship).optional(),
});
export type SpdxDocument = z.infer<typeof SpdxDocument>;

/** What kind of dependency an edge is: `runtime`, or the scope it puts its target in. */
type EdgeKind = 'runtime' | PackageScope;

/**
 * SPDX 2.3 relationship types that are dependency edges (https://spdx.github.io/spdx-spec/v2.3/relationships-between-SPDX-elements/):
 * whether the edge runs from the element to the related one (`forward`, "A DEPENDS_ON B") or back
 * ("A DEPENDENCY_OF B" means B depends on A), and its kind. npm writes peer dependencies as
 * PREREQUISITE_FOR. CONTAINS is not an edge: tools such as syft write "root CONTAINS every
 * package", which says nothing about what the project asks for.
 */
const DEPENDENCY_RELATIONSHIPS: Readonly<Record<string, { readonly forward: boolean; readonly kind: EdgeKind }>> = {
  DEPENDS_ON: { forward: true, kind: 'runtime' },
  DEPENDENCY_OF: { forward: false, kind: 'runtime' },
  RUNTIME_DEPENDENCY_OF: { forward: false, kind: 'runtime' },
  PROVIDED_DEPENDENCY_OF: { forward: false, kind: 'runtime' },
  DEV_DEPENDENCY_OF: { forward: false, kind: 'dev' },
  BUILD_DEPENDENCY_OF: { forward: false, kind: 'dev' },
  TEST_DEPENDENCY_OF: { forward: false, kind: 'dev' },
  DEV_TOOL_OF: { forward: false, kind: 'dev' },
  BUILD_TOOL_OF: { forward: false, kind: 'dev' },
  TEST_TOOL_OF: { forward: false, kind: 'dev' },
  OPTIONAL_DEPENDENCY_OF: { forward: false, kind: 'optional' },
  PREREQUISITE_FOR: { forward: false, kind: 'peer' },
  HAS_PREREQUISITE: { forward: true, kind: 'peer' },
};

const SCOPE_ORDER: readonly PackageScope[] = ['dev', 'optional', 'peer'];

interface Edge {
  readonly to: string;
  readonly kind: EdgeKind;
}

/**
 * Reads an SPDX 2.2/2.3 JSON document: every package with a package URL of an audited ecosystem.
 * The packages the document DESCRIBES are the project itself: not audited, but the roots that
 * directness and scopes are measured from. Keys are SPDXIDs; a package's `purl` is its ecosystem's
 * canonical one, qualifiers dropped.
 */
export function parseSpdxJson(file: DependencyFile): ParsedDependencyFile {
  const document = readDocument(file);
  const lineAt = lineOfOffset(file.text);
  const locate = indexStringMembers(file.text, ['SPDXID']);
  const documentId = document.SPDXID ?? 'SPDXRef-DOCUMENT';
  const relationships = document.relationships ?? [];

  const roots = new Set(document.documentDescribes ?? []);
  for (const relationship of relationships) {
    if (relationship.relationshipType === 'DESCRIBES' && relationship.spdxElementId === documentId) {
      roots.add(relationship.relatedSpdxElement);
    } else if (relationship.relationshipType === 'DESCRIBED_BY' && relationship.relatedSpdxElement === documentId) {
      roots.add(relationship.spdxElementId);
    }
  }
  // The document's own SPDXID is written first; consume it so packages get their own lines.
  locate('SPDXID', documentId);

  const graph = new Map<string, Edge[]>();
  for (const relationship of relationships) {
    const rule = DEPENDENCY_RELATIONSHIPS[relationship.relationshipType];
    if (rule === undefined) continue;
    const [from, to] = rule.forward
      ? [relationship.spdxElementId, relationship.relatedSpdxElement]
      : [relationship.relatedSpdxElement, relationship.spdxElementId];
    const edges = graph.get(from);
    if (edges) edges.push({ to, kind: rule.kind });
    else graph.set(from, [{ to, kind: rule.kind }]);
  }

  const candidates: Omit<PackageFields, 'direct' | 'dependsOn' | 'scopes'>[] = [];
  const skipped: SkippedEntry[] = [];
  (document.packages ?? []).forEach((entry, index) => {
    const parsed = SpdxPackage.safeParse(entry);
    if (!parsed.success) {
      skipped.push({ location: { file: file.path }, reason: `invalid package packages[${index}]: ${describeIssue(parsed.error)}` });
      return;
    }
    const spdxPackage = parsed.data;
    const offset = locate('SPDXID', spdxPackage.SPDXID);
    const location: SourceLocation = offset === undefined ? { file: file.path } : { file: file.path, line: lineAt(offset) };
    if (roots.has(spdxPackage.SPDXID)) return;
    const written = {
      ...(spdxPackage.name === undefined ? {} : { name: spdxPackage.name }),
      ...(spdxPackage.versionInfo === undefined ? {} : { version: spdxPackage.versionInfo }),
    };
    const purls = [
      ...new Set((spdxPackage.externalRefs ?? []).filter((ref) => ref.referenceType === 'purl').map((ref) => ref.referenceLocator)),
    ];
    const [purl, ...others] = purls;
    if (purl === undefined) {
      skipped.push({ location, ...written, reason: 'no package URL' });
      return;
    }
    // One package, one identity: a second, different purl is shown rather than guessed between.
    for (const other of others) {
      skipped.push({ location, ...written, ...notAudited(`second package URL "${other}" not audited; audited "${purl}"`) });
    }
    const reading = readPackageUrl(purl);
    if (reading.kind === 'skipped') {
      skipped.push(skippedFromPurl(location, written, reading));
      return;
    }
    candidates.push({ key: spdxPackage.SPDXID, ecosystem: reading.ecosystem, name: reading.name, version: reading.version, location });
  });

  // Directness needs an edge out of the project; an SBOM with a flat package list does not say.
  const rootTargets = new Set([...roots].flatMap((root) => (graph.get(root) ?? []).map((edge) => edge.to)));
  const knowsGraph = rootTargets.size > 0;
  const scopes = knowsGraph ? computeScopes(roots, graph) : new Map<string, PackageScope[]>();
  const keys = new Set(candidates.map((candidate) => candidate.key));

  const packages = candidates.map((fields) => {
    const key = fields.key ?? '';
    return makePackage({
      ...fields,
      direct: knowsGraph ? rootTargets.has(key) : 'unknown',
      scopes: scopes.get(key) ?? [],
      dependsOn: [...new Set((graph.get(key) ?? []).map((edge) => edge.to))].filter((target) => keys.has(target)),
    });
  });
  return { packages, skipped, related: [] };
}

/**
 * A package is in scope `dev` (`optional`, `peer`) when every path from the project to it crosses
 * an edge of that kind: the rule npm applies to its own dev/optional/peer flags
 * (https://github.com/npm/cli/blob/latest/workspaces/arborist/lib/calc-dep-flags.js). A package
 * the project does not reach at all gets no scope: the document does not say why it is there.
 */
function computeScopes(roots: ReadonlySet<string>, graph: ReadonlyMap<string, readonly Edge[]>): Map<string, PackageScope[]> {
  const reachableAll = reach(roots, graph, undefined);
  const avoiding = new Map(SCOPE_ORDER.map((scope) => [scope, reach(roots, graph, scope)] as const));
  const scopes = new Map<string, PackageScope[]>();
  for (const id of reachableAll) {
    scopes.set(
      id,
      SCOPE_ORDER.filter((scope) => avoiding.get(scope)?.has(id) !== true),
    );
  }
  return scopes;
}

/** Elements reachable from the roots without crossing an edge of kind `avoid`. */
function reach(roots: ReadonlySet<string>, graph: ReadonlyMap<string, readonly Edge[]>, avoid: EdgeKind | undefined): Set<string> {
  const seen = new Set<string>(roots);
  const queue = [...roots];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const edge of graph.get(id) ?? []) {
      if (edge.kind === avoid || seen.has(edge.to)) continue;
      seen.add(edge.to);
      queue.push(edge.to);
    }
  }
  return seen;
}

function readDocument(file: DependencyFile): SpdxDocument {
  const document = parseJsonFile(file, 'SPDX document', 'the document is truncated or not JSON; regenerate it');
  const result = SpdxDocument.safeParse(document);
  if (result.success) return result.data;
  const top = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  const lineOfMember = (key: string): SourceLocation => {
    const offset = findMemberOffset(file.text, key);
    return offset === undefined ? { file: file.path } : { file: file.path, line: lineColumnAt(file.text, offset).line };
  };
  if (!(SPDX_VERSIONS as readonly unknown[]).includes(top.spdxVersion)) {
    throw new LockfileParseError(`unsupported SPDX version ${showValue(top.spdxVersion)}`, {
      location: lineOfMember('spdxVersion'),
      hint: `vigil reads SPDX JSON documents of versions ${SPDX_VERSIONS.join(', ')}`,
    });
  }
  const issue = result.error.issues[0];
  const member = typeof issue?.path[0] === 'string' ? issue.path[0] : undefined;
  throw new LockfileParseError(`invalid SPDX document: ${describeIssue(result.error)}`, {
    location: member === undefined ? { file: file.path } : lineOfMember(member),
  });
}

