import { createHash } from 'node:crypto';
import type { OsvRecord, OsvSeverity } from '../advisories/osv.js';
import { severityOfGroup, severityOfRecord } from '../advisories/severity.js';
import type { AdvisoryStore } from '../advisories/types.js';
import type { OnWorkProgress } from '../core/progress.js';
import type { EcosystemId, Finding, Inventory, Package, Severity, SourceLocation } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import { advisoryTargetOf, distroAdvisoryOf, distroNotesOf, type DistroNotes } from './advisory-target.js';
import { evaluateAffected } from './affected.js';
import { isMaliciousRecord } from './malicious.js';
import { buildDependencyGraph } from './paths.js';

/**
 * An advisory vigil could not evaluate for a package (a range bound or the package's version the
 * ecosystem cannot order, and no listed version decided it): neither a finding nor a pass. The
 * gate fails on it unless the policy says `unevaluable: warn`.
 */
export interface MatchWarning {
  readonly advisory: string;
  /** `name@version` of the package. */
  readonly package: string;
  /** Where the package is locked. */
  readonly location: SourceLocation;
  readonly message: string;
}

export interface MatchResult {
  readonly findings: readonly Finding[];
  readonly warnings: readonly MatchWarning[];
}

interface RecordHit {
  readonly record: OsvRecord;
  readonly fixed: readonly string[];
  readonly packageSeverities: readonly OsvSeverity[];
  /** A distribution's notes of the matched entries (urgency, no-dsa). */
  readonly notes: readonly DistroNotes[];
}

/**
 * Matches every package of the inventory against the store: one Finding per vulnerable package
 * (same file, name and version merged) and flaw (records linked by id or alias merged).
 */
export async function matchInventory(inventory: Inventory, store: AdvisoryStore, onProgress?: OnWorkProgress): Promise<MatchResult> {
  const warnings: MatchWarning[] = [];
  const graph = buildDependencyGraph(inventory.packages);
  const hitsByInstance = new Map<string, { pkg: Package; paths: string[][]; pathKeys: Set<string>; hits: Map<string, RecordHit> }>();

  const byEcosystem = new Map<EcosystemId, Package[]>();
  for (const pkg of inventory.packages) {
    const list = byEcosystem.get(pkg.ecosystem);
    if (list) list.push(pkg);
    else byEcosystem.set(pkg.ecosystem, [pkg]);
  }

  let matched = 0;
  for (const [ecosystemId, packages] of byEcosystem) {
    const ecosystem = ecosystems[ecosystemId];
    const names = [...new Set(packages.flatMap((pkg) => advisoryTargetOf(pkg, ecosystem)?.name ?? []))];
    onProgress?.({ phase: 'match', label: `${ecosystemId} packages`, done: matched, total: inventory.packages.length });
    const recordsByName = await store.advisoriesFor(ecosystemId, names);
    for (const pkg of packages) {
      onProgress?.({ phase: 'match', label: `${ecosystemId} packages`, done: matched++, total: inventory.packages.length });
      const normalized = ecosystem.normalizeName(pkg.name);
      // Distribution packages are looked up by source package and release (advisory-target.ts).
      const target = advisoryTargetOf(pkg, ecosystem);
      for (const record of target === undefined ? [] : (recordsByName.get(target.name) ?? [])) {
        let affected = false;
        const fixed: string[] = [];
        const packageSeverities: OsvSeverity[] = [];
        const unevaluable: string[] = [];
        const notes: DistroNotes[] = [];
        for (const entry of record.affected ?? []) {
          if (!entry.package || target === undefined || !target.appliesTo(entry.package.ecosystem)) continue;
          if (ecosystem.normalizeName(entry.package.name) !== target.name) continue;
          const verdict = evaluateAffected(entry, target.version, ecosystem.versions);
          unevaluable.push(...verdict.unevaluable);
          if (verdict.affected) {
            affected = true;
            fixed.push(...verdict.fixed);
            packageSeverities.push(...(entry.severity ?? []));
            if (pkg.distro !== undefined) {
              const note = distroNotesOf(entry);
              notes.push(note);
              packageSeverities.push(...note.severities);
            }
          }
        }
        // A range that could not be evaluated matters only when nothing else in the record decided
        // that the package is affected: then vigil cannot say, and the gate weighs it (fail closed).
        if (!affected) {
          for (const reason of new Set(unevaluable)) {
            warnings.push({ advisory: record.id, package: `${pkg.name}@${pkg.version}`, location: pkg.location, message: reason });
          }
          continue;
        }
        const instanceKey = `${pkg.location.file}\u0000${ecosystemId}\u0000${normalized}\u0000${pkg.version}`;
        let instance = hitsByInstance.get(instanceKey);
        if (!instance) {
          instance = { pkg, paths: [], pathKeys: new Set(), hits: new Map() };
          hitsByInstance.set(instanceKey, instance);
        }
        if (!instance.hits.has(record.id)) instance.hits.set(record.id, { record, fixed, packageSeverities, notes });
      }
    }
  }

  // Merge the paths of every instance of the same name and version in a file (npm nests copies).
  for (const pkg of inventory.packages) {
    const ecosystem = ecosystems[pkg.ecosystem];
    const instance = hitsByInstance.get(
      `${pkg.location.file}\u0000${pkg.ecosystem}\u0000${ecosystem.normalizeName(pkg.name)}\u0000${pkg.version}`,
    );
    if (!instance) continue;
    for (const path of graph.pathsTo(pkg)) {
      const key = path.join('\u0000');
      if (instance.pathKeys.has(key)) continue;
      instance.pathKeys.add(key);
      instance.paths.push([...path]);
    }
  }

  // The store is asked once for all findings (#15, item 5): the first-seen dates of every matched
  // record, and the records linked by alias to every group whose own records carry no severity.
  const groups: FindingGroup[] = [];
  for (const instance of hitsByInstance.values()) {
    for (const group of groupByAlias([...instance.hits.values()])) groups.push(describeGroup(instance.pkg, instance.paths, group));
  }
  const unscored = groups.filter((group) => group.severities.length === 0);
  // In id order, as the store gives them for the ids of one group.
  const linked = unscored.length === 0 ? [] : [...(await store.recordsByAlias([...new Set(unscored.flatMap((group) => [...group.allIds]))]))].sort(compareIds);
  const firstSeen = groups.length === 0 ? new Map<string, string>() : await store.firstSeen([...new Set(groups.flatMap((group) => group.recordIds))]);
  const findings = groups.map((group) => toFinding(group, linked, firstSeen));
  findings.sort(compareFindings);
  return { findings, warnings };
}

/** One flaw of one package instance, before the store's answers for all of them are in. */
interface FindingGroup {
  readonly pkg: Package;
  readonly paths: readonly string[][];
  readonly hits: readonly RecordHit[];
  readonly recordIds: readonly string[];
  /** The ids of the group's records and all their aliases. */
  readonly allIds: ReadonlySet<string>;
  /** The severities its own records carry. */
  readonly severities: readonly Severity[];
}

/** Records describing the same flaw: linked by id or a shared alias (union-find over ids). */
function groupByAlias(hits: readonly RecordHit[]): RecordHit[][] {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(id, root);
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const hit of hits) {
    parent.set(hit.record.id, parent.get(hit.record.id) ?? hit.record.id);
    for (const alias of hit.record.aliases ?? []) {
      if (!parent.has(alias)) parent.set(alias, alias);
      union(hit.record.id, alias);
    }
  }
  const groups = new Map<string, RecordHit[]>();
  for (const hit of hits) {
    const root = find(hit.record.id);
    const group = groups.get(root);
    if (group) group.push(hit);
    else groups.set(root, [hit]);
  }
  return [...groups.values()];
}

const ID_PREFERENCE = ['GHSA-', 'PYSEC-'];

function primaryId(ids: readonly string[]): string {
  for (const prefix of ID_PREFERENCE) {
    const match = ids.filter((id) => id.startsWith(prefix)).sort()[0];
    if (match) return match;
  }
  return [...ids].sort()[0] as string;
}

function describeGroup(pkg: Package, paths: readonly string[][], hits: readonly RecordHit[]): FindingGroup {
  const recordIds = hits.map((hit) => hit.record.id);
  const allIds = new Set<string>(recordIds);
  for (const hit of hits) for (const alias of hit.record.aliases ?? []) allIds.add(alias);
  const severities: Severity[] = [];
  for (const hit of hits) {
    const severity = severityOfRecord(hit.record, hit.packageSeverities);
    if (severity) severities.push(severity);
  }
  return { pkg, paths, hits, recordIds, allIds, severities };
}

/**
 * The Finding of a group. `linked`: the store's records whose id or an alias is an id of any
 * unscored group, in id order; `firstSeen`: the store's first-seen dates of every matched record.
 */
function toFinding(described: FindingGroup, linked: readonly OsvRecord[], firstSeenOf: ReadonlyMap<string, string>): Finding {
  const { pkg, paths, hits: group, recordIds, allIds } = described;
  const id = primaryId(recordIds);
  const aliases = [...allIds].filter((other) => other !== id).sort();

  const severities = [...described.severities];
  if (severities.length === 0) {
    // Few PYSEC records carry CVSS; most name a GHSA or CVE record that does. These are the
    // records `recordsByAlias` gives for this group's ids alone (the aliases table holds each
    // record's `aliases`).
    for (const record of linked) {
      if (!allIds.has(record.id) && !(record.aliases ?? []).some((alias) => allIds.has(alias))) continue;
      const severity = severityOfRecord(record);
      if (severity) severities.push(severity);
    }
  }

  const scheme = ecosystems[pkg.ecosystem].versions;
  const fixed = [...new Set(group.flatMap((hit) => hit.fixed))]
    .filter((version) => scheme.isValid(version))
    .sort((a, b) => scheme.compare(a, b));
  const dates = (pick: (record: OsvRecord) => string | undefined): string[] =>
    group.map((hit) => pick(hit.record)).filter((value): value is string => value !== undefined).sort();
  const published = dates((record) => record.published)[0];
  const firstSeen = recordIds.flatMap((recordId) => firstSeenOf.get(recordId) ?? []).sort()[0];
  const modified = dates((record) => record.modified).at(-1);
  const summary = group.map((hit) => summaryOf(hit.record)).find((text) => text !== '') ?? '';

  const fingerprint = createHash('sha256')
    .update([pkg.location.file, pkg.ecosystem, ecosystems[pkg.ecosystem].normalizeName(pkg.name), pkg.version, id].join('\u0000'))
    .digest('hex')
    .slice(0, 32);

  return {
    id,
    aliases,
    records: [...recordIds].sort(),
    package: pkg,
    paths: sortPaths(paths),
    summary,
    severity: severityOfGroup(severities),
    fixed,
    published,
    firstSeen,
    modified,
    fingerprint,
    // A group is malicious when any of its records is, or an id of the flaw is a MAL- id.
    ...(group.some((hit) => isMaliciousRecord(hit.record)) || [...allIds].some((other) => other.startsWith('MAL-')) ? { malicious: true as const } : {}),
    ...(pkg.distro === undefined ? {} : { distro: distroAdvisoryOf(group.map((hit) => hit.record), group.flatMap((hit) => hit.notes), fixed) }),
  };
}

function compareIds(a: OsvRecord, b: OsvRecord): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function summaryOf(record: OsvRecord): string {
  const text = record.summary ?? record.details ?? '';
  const firstLine = text.split('\n').find((line) => line.trim() !== '') ?? '';
  return firstLine.length > 200 ? `${firstLine.slice(0, 197)}...` : firstLine.trim();
}

/**
 * Shortest dependency paths first, then in code-unit order of their names: the same on every
 * machine (localeCompare follows the host's locale), and each path joined once rather than at
 * every comparison (a package reached by thousands of paths made this the matcher's largest cost).
 */
function sortPaths(paths: readonly (readonly string[])[]): string[][] {
  return paths
    .map((path) => ({ path: [...path], key: path.join('>') }))
    .sort((a, b) => a.path.length - b.path.length || compareText(a.key, b.key))
    .map((entry) => entry.path);
}

/** Code-unit order of two texts: the same on every machine, and no collator to build (localeCompare's first call costs about 10 ms). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.package.location.file, b.package.location.file) ||
    compareText(a.package.name, b.package.name) ||
    compareText(a.package.version, b.package.version) ||
    compareText(a.id, b.id)
  );
}
