import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { AdvisoryStore } from '../../advisories/types.js';
import { LockfileParseError, UsageError } from '../../core/errors.js';
import type { Finding, Inventory, Package } from '../../core/types.js';
import { ecosystems, lockfileParsers } from '../../ecosystems/registry.js';
import type { LockfileParser } from '../../ecosystems/types.js';
import { matchInventory } from '../../match/match.js';

/** One advisory an upgrade fixed. */
export interface FixedAdvisory {
  /** Primary id of the flaw. */
  readonly id: string;
  /** Its other ids (CVE, GHSA...), sorted. */
  readonly aliases: readonly string[];
}

/** One upgrade since the earlier release that fixed at least one advisory. */
export interface RecentFix {
  /** Dependency file (display path) the package is locked in. */
  readonly file: string;
  readonly ecosystem: string;
  readonly name: string;
  readonly from: string;
  /** The new version (versions joined with ", " when the file now locks several). */
  readonly to: string;
  readonly advisories: readonly FixedAdvisory[];
}

/** Fixes since a git ref; `since` is null when there was no earlier release to compare with. */
export interface RecentlyFixed {
  readonly since: string | null;
  readonly fixes: readonly RecentFix[];
}

/** A git ref resolved in the repository that holds the audited files. */
export interface BaseRef {
  /** Repository root (`git rev-parse --show-toplevel`). */
  readonly repository: string;
  /** The ref as given or found (the last tag); null when no tag exists. */
  readonly ref: string | null;
}

/** A failed git command, with what git said. */
class GitFailure extends Error {
  constructor(
    readonly stderr: string,
    options: { cause: unknown },
  ) {
    super(stderr.trim().split('\n')[0] ?? 'git failed', options);
  }
}

function git(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new GitFailure(stderr || error.message, { cause: error }));
      else resolve(stdout);
    });
  });
}

function firstLine(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Finds the repository holding `dir` and checks `since` (default: the last tag, by
 * `git describe --tags --abbrev=0`). Not a repository, or an unknown ref: UsageError.
 */
export async function resolveBaseRef(dir: string, since: string | undefined): Promise<BaseRef> {
  let repository: string;
  try {
    repository = (await git(['rev-parse', '--show-toplevel'], dir)).trim();
  } catch (error) {
    throw new UsageError(`recently fixed: ${dir} is not in a git repository (${firstLine(error)})`, {
      hint: '"recently fixed" compares the dependency files with an earlier release: run inside a git checkout',
      cause: error,
    });
  }
  if (since === undefined) {
    try {
      return { repository, ref: (await git(['describe', '--tags', '--abbrev=0'], repository)).trim() };
    } catch {
      // No tag (or no commit): there is no earlier release, which the section says.
      return { repository, ref: null };
    }
  }
  try {
    await git(['rev-parse', '--verify', '--quiet', `${since}^{commit}`], repository);
  } catch (error) {
    throw new UsageError(`--since: unknown git ref "${since}"`, { hint: 'name a tag, branch or commit of this repository', cause: error });
  }
  return { repository, ref: since };
}

/**
 * Compares the dependency files of `inventory` with their content at `base.ref`: a fix is a
 * package whose version changed and whose old version had findings the new version does not
 * have. Files absent at the ref contribute nothing.
 */
export async function findRecentlyFixed(options: {
  readonly inventory: Inventory;
  /** Findings of the current inventory. */
  readonly findings: readonly Finding[];
  readonly store: AdvisoryStore;
  readonly base: BaseRef;
}): Promise<RecentlyFixed> {
  const { inventory, base } = options;
  if (base.ref === null) return { since: null, fixes: [] };
  const repository = await realpath(base.repository);
  const packages: Package[] = [];
  for (const source of inventory.sources) {
    const parser = lockfileParsers.find((candidate: LockfileParser) => candidate.id === source.format);
    if (!parser) throw new UsageError(`recently fixed: no parser "${source.format}" for ${source.path}`);
    const absolutePath = await realpath(path.resolve(inventory.root, source.path));
    const inRepository = path.relative(repository, absolutePath).split(path.sep).join('/');
    if (inRepository.startsWith('../') || path.isAbsolute(inRepository)) continue;
    let text: string;
    try {
      text = await git(['show', `${base.ref}:${inRepository}`], repository);
    } catch {
      // Not in the repository at that ref: a new file fixes nothing.
      continue;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let parsed;
    try {
      parsed = await parser.parse({ absolutePath, path: source.path, text }, { readRelated: () => Promise.resolve(undefined) });
    } catch (error) {
      if (error instanceof LockfileParseError || error instanceof UsageError) throw error;
      throw new LockfileParseError(`${base.ref}: cannot read ${parser.id}: ${error instanceof Error ? error.message : String(error)}`, {
        location: { file: source.path },
        cause: error,
      });
    }
    const prefix = `${source.path}#`;
    for (const pkg of parsed.packages) {
      if (!ecosystems[pkg.ecosystem].versions.isValid(pkg.version)) continue;
      packages.push({ ...pkg, key: prefix + pkg.key, dependsOn: pkg.dependsOn.map((key) => prefix + key) });
    }
  }
  const old: Inventory = { root: inventory.root, sources: inventory.sources, packages, skipped: [] };
  const { findings: oldFindings } = await matchInventory(old, options.store);
  return { since: base.ref, fixes: compareFindings(old.packages, oldFindings, inventory.packages, options.findings) };
}

/** The name key of a package: file, ecosystem, normalised name. */
function nameKey(pkg: Package): string {
  return `${pkg.location.file}\u0000${pkg.ecosystem}\u0000${ecosystems[pkg.ecosystem].normalizeName(pkg.name)}`;
}

function versionsByName(packages: readonly Package[]): Map<string, Set<string>> {
  const byName = new Map<string, Set<string>>();
  for (const pkg of packages) {
    const key = nameKey(pkg);
    const set = byName.get(key) ?? new Set<string>();
    set.add(pkg.version);
    byName.set(key, set);
  }
  return byName;
}

/** Pure comparison of the old and new inventories' findings (exported for tests). */
export function compareFindings(
  oldPackages: readonly Package[],
  oldFindings: readonly Finding[],
  newPackages: readonly Package[],
  newFindings: readonly Finding[],
): RecentFix[] {
  const oldVersions = versionsByName(oldPackages);
  const newVersions = versionsByName(newPackages);
  // Every id of every flaw still present, per package name.
  const stillOpen = new Map<string, Set<string>>();
  for (const finding of newFindings) {
    const key = nameKey(finding.package);
    const set = stillOpen.get(key) ?? new Set<string>();
    for (const id of [finding.id, ...finding.aliases]) set.add(id);
    stillOpen.set(key, set);
  }
  const fixes = new Map<string, { pkg: Package; to: string; advisories: Map<string, FixedAdvisory> }>();
  for (const finding of oldFindings) {
    const key = nameKey(finding.package);
    const now = newVersions.get(key);
    const before = oldVersions.get(key);
    // Removed packages and unchanged versions are not upgrades.
    if (!now || !before || now.has(finding.package.version)) continue;
    const added = [...now].filter((version) => !before.has(version)).sort();
    if (added.length === 0) continue;
    const open = stillOpen.get(key);
    if ([finding.id, ...finding.aliases].some((id) => open?.has(id))) continue;
    const fixKey = `${key}\u0000${finding.package.version}`;
    let fix = fixes.get(fixKey);
    if (!fix) {
      fix = { pkg: finding.package, to: added.join(', '), advisories: new Map() };
      fixes.set(fixKey, fix);
    }
    fix.advisories.set(finding.id, { id: finding.id, aliases: [...finding.aliases].sort() });
  }
  return [...fixes.values()]
    .map(
      ({ pkg, to, advisories }): RecentFix => ({
        file: pkg.location.file,
        ecosystem: pkg.ecosystem,
        name: pkg.name,
        from: pkg.version,
        to,
        advisories: [...advisories.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      }),
    )
    .sort((a, b) => cmp(a.name, b.name) || cmp(a.file, b.file) || cmp(a.from, b.from));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
