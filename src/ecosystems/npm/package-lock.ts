import { LockfileParseError } from '../../core/errors.js';
import { notAudited, type Directness, type Package, type PackageScope, type SkippedEntry, type SkippedKind } from '../../core/types.js';
import { makePackage } from '../package.js';
import { parseJsonFile } from '../json-file.js';
import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';
import { MAX_NESTING_DEPTH } from '../../core/input-limits.js';
import {
  asRecord,
  asString,
  type JsonRecord,
  listManifestDependencies,
  MANIFEST_DEPENDENCY_FIELDS,
  matchesWorkspace,
  readManifest,
  stringEntries,
  workspacePatterns,
} from './manifest.js';
import { classifyResolved, classifySpecifier, describeSource, parseNpmAlias } from './source.js';

// package-lock.json and npm-shrinkwrap.json, lockfileVersion 1 to 3
// (https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json).
//
// Every entry becomes a node keyed by its install path (`node_modules/a/node_modules/b`); v1's
// nested `dependencies` tree is flattened to the same paths so both shapes share one resolver.
// Dependencies resolve the way Node's require does: `<path>/node_modules/<dep>`, then each parent
// directory's `node_modules`, up to the root's.

type NodeKind =
  /** The project root `""`. */
  | 'root'
  /** A workspace directory (`packages/foo`): part of the project, its dependencies are direct. */
  | 'workspace'
  /** A `link: true` entry: stands for the directory it points at. */
  | 'link'
  /** An installed registry package. */
  | 'package'
  /** An entry we cannot audit (git, local directory, no version...). */
  | 'skipped';

interface LockNode {
  readonly key: string;
  readonly kind: NodeKind;
  readonly line: number | undefined;
  readonly name: string;
  readonly version?: string;
  readonly scopes: readonly PackageScope[];
  /** Names this node requires, and whether each is optional. */
  readonly requires: readonly { readonly name: string; readonly optional: boolean; readonly dev: boolean }[];
  readonly linkTarget?: string;
  readonly skipReason?: string;
  readonly skipKind?: SkippedKind;
}

const SUPPORTED_VERSIONS = [1, 2, 3];

/** Parses a package-lock.json or npm-shrinkwrap.json. */
export async function parsePackageLock(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  const { value, keyLines } = readLockText(file);
  const lock = asRecord(value);
  if (!lock) throw new LockfileParseError('package-lock.json is not a JSON object', { location: { file: file.path, line: 1 } });
  const version = lock.lockfileVersion;
  if (typeof version !== 'number' || !SUPPORTED_VERSIONS.includes(version)) {
    const line = keyLines.get(pathId(['lockfileVersion']));
    throw new LockfileParseError(
      version === undefined ? 'missing lockfileVersion' : `unsupported lockfileVersion ${JSON.stringify(version)}`,
      {
        location: { file: file.path, line: line ?? 1 },
        hint: 'vigil reads lockfileVersion 1, 2 and 3 (npm 5 to 10); regenerate the lockfile with one of those npm versions',
      },
    );
  }
  // npm 7+ always writes `packages` (with at least the root entry `""`); v2 also carries v1's
  // `dependencies` for old npm. Without either there is nothing to read: not an empty lock.
  if (version >= 2 && lock.packages === undefined && (version >= 3 || lock.dependencies === undefined)) {
    throw new LockfileParseError(`lockfileVersion ${version} lockfile has no "packages" section, which npm always writes`, {
      location: { file: file.path, line: 1 },
      hint: 'the file is truncated or was edited by hand; restore it from version control, or regenerate it with `npm install --package-lock-only`',
    });
  }
  // v2 carries both shapes for old npm; `packages` is the truth when present.
  if (version >= 2 && lock.packages !== undefined) {
    const packages = asRecord(lock.packages);
    if (!packages) {
      throw new LockfileParseError('"packages" is not an object', {
        location: { file: file.path, line: keyLines.get(pathId(['packages'])) },
      });
    }
    return buildResult(file, readPackagesNodes(packages, keyLines), undefined, []);
  }
  const dependencies = lock.dependencies === undefined ? {} : asRecord(lock.dependencies);
  if (!dependencies) {
    throw new LockfileParseError('"dependencies" is not an object', {
      location: { file: file.path, line: keyLines.get(pathId(['dependencies'])) },
    });
  }
  // v1 does not say what the project asks for: its package.json does.
  const manifest = await readManifest(context, 'package.json');
  const nodes = [rootNode(manifest?.manifest), ...readDependencyTree(dependencies, keyLines)];
  return buildResult(file, nodes, manifest ? undefined : 'unknown', manifest ? [manifest.path] : []);
}

function rootNode(manifest: JsonRecord | undefined): LockNode {
  return {
    key: '',
    kind: 'root',
    line: undefined,
    name: '',
    scopes: [],
    requires: manifest ? listManifestDependencies(manifest) : [],
  };
}

/** Nodes of the `packages` map of lockfileVersion 2 and 3. */
function readPackagesNodes(packages: JsonRecord, keyLines: Map<string, number>): LockNode[] {
  const root = asRecord(packages['']) ?? {};
  const patterns = workspacePatterns(root);
  const nodes: LockNode[] = [];
  for (const key of Object.keys(packages)) {
    // pathId(['packages', key]), without the array.
    const line = keyLines.get(`packages\u0000${key}`);
    const entry = asRecord(packages[key]);
    const installedName = nameFromPath(key);
    if (!entry) {
      nodes.push(skippedNode(key, line, installedName, undefined, 'lockfile entry is not an object'));
      continue;
    }
    const requires = requiresOf(entry, key === '' || !isInstallPath(key));
    if (key === '') {
      nodes.push({ key, kind: 'root', line, name: '', scopes: [], requires });
      continue;
    }
    const name = asString(entry.name) ?? installedName;
    const version = asString(entry.version);
    if (entry.link === true) {
      const target = asString(entry.resolved);
      nodes.push({ key, kind: 'link', line, name, scopes: [], requires: [], linkTarget: target });
      continue;
    }
    if (!isInstallPath(key)) {
      // A directory of the project itself: a workspace, or the target of a `file:` dependency.
      if (matchesWorkspace(key, patterns)) {
        nodes.push({ key, kind: 'workspace', line, name, scopes: [], requires });
      } else {
        nodes.push({ ...skippedNode(key, line, name, version, 'local directory package (file:), not from a registry', 'not-audited'), requires });
      }
      continue;
    }
    if (version === undefined) {
      nodes.push({ ...skippedNode(key, line, name, undefined, 'no version in the lockfile entry'), requires });
      continue;
    }
    const resolved = asString(entry.resolved);
    const source = resolved === undefined ? classifySpecifier(version) : classifyResolved(resolved);
    if (source.kind !== 'registry') {
      nodes.push({ ...skippedNode(key, line, name, resolved ?? version, describeSource(source), 'not-audited'), requires });
      continue;
    }
    nodes.push({ key, kind: 'package', line, name, version, scopes: scopesFromFlags(entry), requires });
  }
  return nodes;
}

/** Nodes of lockfileVersion 1's nested `dependencies` tree, keyed by the paths v2 would use. */
function readDependencyTree(dependencies: JsonRecord, keyLines: Map<string, number>): LockNode[] {
  const nodes: LockNode[] = [];
  const walk = (tree: JsonRecord, parentKey: string, parentPath: readonly string[]): void => {
    for (const [installedName, value] of Object.entries(tree)) {
      const key = parentKey === '' ? `node_modules/${installedName}` : `${parentKey}/node_modules/${installedName}`;
      const path = [...parentPath, 'dependencies', installedName];
      const line = keyLines.get(pathId(path));
      const entry = asRecord(value);
      if (!entry) {
        nodes.push(skippedNode(key, line, installedName, undefined, 'lockfile entry is not an object'));
        continue;
      }
      const requires = stringEntries(entry.requires).map(([name]) => ({ name, optional: false, dev: false }));
      nodes.push(readTreeEntry(key, line, installedName, entry, requires));
      const children = asRecord(entry.dependencies);
      if (children) walk(children, key, path);
    }
  };
  walk(dependencies, '', []);
  return nodes;
}

function readTreeEntry(
  key: string,
  line: number | undefined,
  installedName: string,
  entry: JsonRecord,
  requires: LockNode['requires'],
): LockNode {
  const written = asString(entry.version);
  if (written === undefined) return { ...skippedNode(key, line, installedName, undefined, 'no version in the lockfile entry'), requires };
  // v1 writes an alias as `"version": "npm:string-width@4.2.3"`.
  const alias = parseNpmAlias(written);
  const name = alias?.name ?? installedName;
  const version = alias?.range ?? written;
  const resolved = asString(entry.resolved);
  let source = classifySpecifier(written);
  if (source.kind === 'registry' && resolved !== undefined) source = classifyResolved(resolved);
  if (source.kind !== 'registry') return { ...skippedNode(key, line, name, written, describeSource(source), 'not-audited'), requires };
  return { key, kind: 'package', line, name, version, scopes: scopesFromFlags(entry), requires };
}

function skippedNode(key: string, line: number | undefined, name: string, version: string | undefined, reason: string, skipKind?: SkippedKind): LockNode {
  return { key, kind: 'skipped', line, name, version, scopes: [], requires: [], skipReason: reason, ...(skipKind === undefined ? {} : { skipKind }) };
}

/**
 * What an entry requires. Installed packages list `dependencies`, `optionalDependencies` and
 * `peerDependencies` (npm 7+ installs peers); the project's own directories also list
 * `devDependencies`.
 */
function requiresOf(entry: JsonRecord, isProject: boolean): LockNode['requires'] {
  const optionalPeers = asRecord(entry.peerDependenciesMeta);
  // Most entries list one field: the names seen are tracked from the second one on.
  let seen: Set<string> | undefined;
  let fieldsRead = 0;
  const requires: { name: string; optional: boolean; dev: boolean }[] = [];
  for (const { field, dev, optional } of MANIFEST_DEPENDENCY_FIELDS) {
    if (dev && !isProject) continue;
    const names = asRecord(entry[field]);
    if (!names) continue;
    if (++fieldsRead === 2) seen = new Set(requires.map((required) => required.name));
    for (const name in names) {
      if (seen !== undefined) {
        if (seen.has(name)) continue;
        seen.add(name);
      }
      const peerOptional = field === 'peerDependencies' && asRecord(optionalPeers?.[name])?.optional === true;
      requires.push({ name, dev, optional: optional || peerOptional });
    }
  }
  return requires;
}

/**
 * npm's own flags: `dev` (only devDependencies need it), `optional` (only optional paths),
 * `peer`. `devOptional` (needed by a dev path and by an optional path of production) is installed
 * unless both dev and optional are omitted, so it gets no scope: a dev-only policy must not wave
 * through something production may load.
 */
function scopesFromFlags(entry: JsonRecord): PackageScope[] {
  const scopes: PackageScope[] = [];
  if (entry.dev === true) scopes.push('dev');
  if (entry.optional === true) scopes.push('optional');
  if (entry.peer === true) scopes.push('peer');
  return scopes;
}

function buildResult(
  file: DependencyFile,
  nodes: readonly LockNode[],
  forcedDirectness: Directness | undefined,
  related: readonly string[],
): ParsedDependencyFile {
  const byKey = new Map(nodes.map((node) => [node.key, node]));
  // Node's lookup from the directory `from`, nearest first: `<dir>/node_modules/<name>` for `from`
  // and each parent that is not itself a node_modules folder, then the root's. Links stand for the
  // directory they point at. Undefined when the name resolves nowhere (or to a dangling link).
  const resolve = (from: string, name: string): LockNode | undefined => {
    let directory = from;
    for (;;) {
      const candidate = directory === '' ? `node_modules/${name}` : `${directory}/node_modules/${name}`;
      let node = directory.endsWith('node_modules') ? undefined : byKey.get(candidate);
      if (node) {
        for (let hops = 0; node?.kind === 'link' && hops < 8; hops++) {
          node = node.linkTarget === undefined ? undefined : byKey.get(node.linkTarget);
        }
        return node;
      }
      if (directory === '') return undefined;
      const slash = directory.lastIndexOf('/');
      directory = slash < 0 ? '' : directory.slice(0, slash);
    }
  };

  const direct = new Set<string>();
  for (const node of nodes) {
    if (node.kind !== 'root' && node.kind !== 'workspace') continue;
    for (const required of node.requires) {
      const target = resolve(node.key, required.name);
      if (target) direct.add(target.key);
    }
  }

  const packages: Package[] = [];
  const skipped: SkippedEntry[] = [];
  for (const node of nodes) {
    const location = { file: file.path, line: node.line };
    if (node.kind === 'skipped') {
      skipped.push({ location, name: node.name, version: node.version, ecosystem: 'npm', reason: node.skipReason ?? 'unusable entry', ...(node.skipKind === undefined ? {} : { kind: node.skipKind }) });
      continue;
    }
    if (node.kind === 'link' && (node.linkTarget === undefined || !byKey.has(node.linkTarget))) {
      skipped.push({ location, name: node.name, version: node.linkTarget, ecosystem: 'npm', ...notAudited(describeSource({ kind: 'link' })) });
      continue;
    }
    if (node.kind !== 'package' || node.version === undefined) continue;
    const dependsOn = new Set<string>();
    for (const required of node.requires) {
      const target = resolve(node.key, required.name);
      if (target?.kind === 'package') dependsOn.add(target.key);
    }
    packages.push(
      makePackage({
        ecosystem: 'npm',
        key: node.key,
        name: node.name,
        version: node.version,
        location,
        direct: forcedDirectness ?? direct.has(node.key),
        scopes: node.scopes,
        dependsOn: [...dependsOn],
      }),
    );
  }
  return { packages, skipped, related };
}

function isInstallPath(key: string): boolean {
  return key.startsWith('node_modules/') || key.includes('/node_modules/');
}

/** The package name an install path ends with (`@scope/name` kept whole). */
function nameFromPath(key: string): string {
  const index = key.lastIndexOf('node_modules/');
  return index < 0 ? key.slice(key.lastIndexOf('/') + 1) : key.slice(index + 'node_modules/'.length);
}

function pathId(path: readonly string[]): string {
  return path.join('\u0000');
}

/**
 * The parsed lockfile and the line of every key that names an entry (see `indexKeyLines`): one
 * native parse and one pass over the text, which also bounds the nesting. Text that JSON.parse
 * refuses, or that nests too deep, gets the error `parseJsonFile` words (the same as every JSON
 * dependency file); issue 15 measured the former second full scan at 84 ms on insomnia's lockfile.
 */
function readLockText(file: DependencyFile): { value: unknown; keyLines: Map<string, number> } {
  let value: unknown;
  try {
    value = JSON.parse(file.text) as unknown;
  } catch {
    parseJsonFile(file, 'package-lock.json');
    throw new Error('unreachable: parseJsonFile accepted text JSON.parse refused');
  }
  const keyLines = indexKeyLines(file.text);
  if (keyLines === undefined) {
    parseJsonFile(file, 'package-lock.json');
    throw new Error('unreachable: parseJsonFile accepted text nested too deep');
  }
  return { value, keyLines };
}

/**
 * A key path as `indexKeyLines` follows it, without an array per key: its `pathId`, its length,
 * its first key and its last one.
 */
interface KeyPath {
  readonly id: string;
  readonly depth: number;
  readonly top: string;
  readonly last: string;
}

const ROOT_PATH: KeyPath = { id: '', depth: 0, top: '', last: '' };

/** Whether the keys inside an object at `path` are indexed: their lines kept, their values entered. */
function descendsInto(path: KeyPath): boolean {
  const depth = path.depth;
  if (depth === 0) return true;
  if (depth === 1) return path.top === 'packages' || path.top === 'dependencies';
  if (path.top !== 'dependencies') return false;
  // dependencies.<name>.dependencies.<name>...: names at even depths, `dependencies` at odd.
  return depth % 2 === 0 || path.last === 'dependencies';
}

/** Whether the line of the key ending `path` is kept. */
function keepsLine(path: KeyPath): boolean {
  const depth = path.depth;
  return depth === 1 || (path.top === 'packages' ? depth === 2 : depth % 2 === 0);
}

const STRUCTURE = /["[\]{}]/g;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const COLON = 0x3a;

/**
 * Line of every key that names an entry: `lockfileVersion`, `packages`, `packages.<key>` and the
 * `dependencies.<name>(.dependencies.<name>)*` chains of v1, by `pathId`. For text JSON.parse
 * accepted: one pass from bracket to quote (strings skipped whole), `undefined` when arrays and
 * objects nest deeper than MAX_NESTING_DEPTH.
 */
function indexKeyLines(text: string): Map<string, number> | undefined {
  // Per open array or object: the key path of an indexed object, undefined for anything else.
  const open: (KeyPath | undefined)[] = [];
  const offsets: number[] = [];
  const ids: string[] = [];
  // The key whose value comes next, when its object is indexed.
  let pending: KeyPath | undefined;
  const length = text.length;
  // `test` moves `lastIndex` past each match without building a match object.
  STRUCTURE.lastIndex = 0;
  while (STRUCTURE.test(text)) {
    const opening = STRUCTURE.lastIndex - 1;
    const c = text.charCodeAt(opening);
    if (c === QUOTE) {
      const end = endOfString(text, opening);
      STRUCTURE.lastIndex = end;
      const parent = open[open.length - 1];
      if (parent === undefined) {
        pending = undefined;
        continue;
      }
      let next = end;
      while (next < length && text.charCodeAt(next) <= 0x20) next++;
      if (text.charCodeAt(next) !== COLON) {
        pending = undefined;
        continue;
      }
      const raw = text.slice(opening + 1, end - 1);
      const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
      const path: KeyPath =
        parent.depth === 0
          ? { id: key, depth: 1, top: key, last: key }
          : { id: `${parent.id}\u0000${key}`, depth: parent.depth + 1, top: parent.top, last: key };
      if (keepsLine(path)) {
        offsets.push(opening);
        ids.push(path.id);
      }
      pending = path;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (open.length >= MAX_NESTING_DEPTH) return undefined;
      const indexed = c === OPEN_BRACE && (open.length === 0 || (pending !== undefined && descendsInto(pending)));
      open.push(indexed ? (pending ?? ROOT_PATH) : undefined);
      pending = undefined;
    } else {
      open.pop();
      pending = undefined;
    }
  }
  // Offsets are in text order: one sweep over the line breaks turns them into line numbers.
  const lines = new Map<string, number>();
  let line = 1;
  let lineBreak = text.indexOf('\n');
  offsets.forEach((offset, index) => {
    while (lineBreak !== -1 && lineBreak < offset) {
      line++;
      lineBreak = text.indexOf('\n', lineBreak + 1);
    }
    lines.set(ids[index] as string, line);
  });
  return lines;
}

/** Offset just past the closing quote of the string opening at `start`. */
function endOfString(text: string, start: number): number {
  let close = text.indexOf('"', start + 1);
  while (close !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    close = text.indexOf('"', close + 1);
  }
  return text.length;
}
