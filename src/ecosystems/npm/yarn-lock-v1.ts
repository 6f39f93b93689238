import { createRequire } from 'node:module';
import { LockfileParseError } from '../../core/errors.js';
import { notAudited, type Directness, type Package, type SkippedEntry } from '../../core/types.js';
import { missingEntriesSkipped, type MissingEntry } from '../missing-entries.js';
import { makePackage } from '../package.js';
import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';
import { type DependencyEdge, type DependencyRoot, reachFrom, scopesOfReach } from './dependency-graph.js';
import {
  asRecord,
  asString,
  type JsonRecord,
  listManifestDependencies,
  MANIFEST_DEPENDENCY_FIELDS,
  type ManifestDependency,
  readManifest,
  stringEntries,
  workspacePatterns,
} from './manifest.js';
import { classifyResolved, classifySpecifier, describeSource, parseNpmAlias, splitDescriptor } from './source.js';

// @yarnpkg/lockfile is a webpack bundle flagged `__esModule` whose `default` is not the API: Node's
// ESM loader and vitest's interop disagree on what an import of it yields, `require` does not.
const yarnLockfile = createRequire(import.meta.url)('@yarnpkg/lockfile') as typeof import('@yarnpkg/lockfile').default;

// yarn.lock v1 (Yarn Classic, https://classic.yarnpkg.com/en/docs/yarn-lock). Entries are keyed
// by every `name@range` they satisfy; the lockfile says nothing about the project, so what is
// direct (and what only development needs) comes from the package.json beside it.

/** Yarn Classic only installs a project's own dependencies, optional and dev dependencies. */
const ROOT_FIELDS = MANIFEST_DEPENDENCY_FIELDS.filter(({ field }) => field !== 'peerDependencies');

interface YarnEntry {
  readonly descriptors: string[];
  readonly data: JsonRecord;
}

/** Parses a Yarn Classic (v1) yarn.lock. */
export async function parseYarnV1Lock(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  const object = readLockObject(file);
  const headerLines = indexHeaderLines(file.text);
  // The library stops, without a word, at a line indented deeper than it expects and returns the
  // entries before it: every entry header of the text must be among what it read.
  for (const [descriptor, line] of headerLines) {
    if (!Object.hasOwn(object, descriptor)) {
      throw new LockfileParseError(`entry "${descriptor}" was not read: a line before it is indented or formed in a way Yarn does not write`, {
        location: { file: file.path, line },
        hint: 'the file was edited by hand or is damaged; restore it from version control, or run `yarn install` to rewrite it',
      });
    }
  }

  // The parser gives each descriptor its own key; descriptors of one entry share one object.
  const entries = new Map<object, YarnEntry>();
  const entryOf = new Map<string, YarnEntry>();
  for (const [descriptor, value] of Object.entries(object)) {
    const data = asRecord(value) ?? {};
    const identity = typeof value === 'object' && value !== null ? value : { descriptor };
    let entry = entries.get(identity);
    if (!entry) {
      entry = { descriptors: [], data };
      entries.set(identity, entry);
    }
    entry.descriptors.push(descriptor);
    entryOf.set(descriptor, entry);
  }

  const keys = new Map<YarnEntry, string>();
  const packages: { entry: YarnEntry; fields: Omit<Parameters<typeof makePackage>[0], 'direct' | 'scopes'> }[] = [];
  const skipped: SkippedEntry[] = [];
  const usedKeys = new Set<string>();
  for (const entry of entries.values()) {
    const first = entry.descriptors[0] ?? '';
    const line = Math.min(...entry.descriptors.map((descriptor) => headerLines.get(descriptor) ?? Infinity));
    const location = { file: file.path, line: Number.isFinite(line) ? line : undefined };
    const { name: declaredName, range } = splitDescriptor(first);
    const name = parseNpmAlias(range)?.name ?? declaredName;
    const version = asString(entry.data.version);
    if (version === undefined) {
      skipped.push({ location, name, ecosystem: 'npm', reason: 'no version in the lockfile entry' });
      continue;
    }
    const source = sourceOf(entry);
    if (source.kind !== 'registry') {
      skipped.push({ location, name, version: asString(entry.data.resolved) ?? range, ecosystem: 'npm', ...notAudited(describeSource(source)) });
      continue;
    }
    // `name@version` unless two entries lock the same (it happens with hand-merged lockfiles).
    let key = `${name}@${version}`;
    if (usedKeys.has(key)) key = first;
    usedKeys.add(key);
    keys.set(entry, key);
    packages.push({ entry, fields: { ecosystem: 'npm', key, name, version, location } });
  }

  const edgesOf = new Map<string, DependencyEdge[]>();
  const missing: MissingEntry[] = [];
  for (const { entry, fields } of packages) {
    const edges: DependencyEdge[] = [];
    for (const [field, optional] of [
      ['dependencies', false],
      ['optionalDependencies', true],
    ] as const) {
      for (const [dependency, range] of stringEntries(entry.data[field])) {
        const target = entryOf.get(`${dependency}@${range}`);
        // Yarn locks every descriptor it resolved, optional ones for other platforms too: one
        // with no entry means entries are missing (a file cut short between two entries parses).
        if (target === undefined) {
          missing.push({ from: `${fields.name}@${fields.version}`, dependency: `${dependency}@${range}`, location: fields.location });
          continue;
        }
        const targetKey = keys.get(target);
        if (targetKey !== undefined) edges.push({ target: targetKey, optional });
      }
    }
    edgesOf.set(fields.key ?? '', edges);
  }

  const project = await readProject(context);
  const resolveRoot = (dependency: ManifestDependency): string | undefined => {
    const target = entryOf.get(`${dependency.name}@${dependency.range}`);
    return target && keys.get(target);
  };
  const roots = project.manifests.flatMap((manifest) => rootsFromManifest(manifest, resolveRoot));
  const directKeys = new Set(roots.map((root) => root.target));
  const reach = project.complete ? reachFrom(roots, (key) => edgesOf.get(key) ?? []) : undefined;

  const result: Package[] = packages.map(({ fields }) => {
    const key = fields.key ?? '';
    let direct: Directness = 'unknown';
    if (directKeys.has(key)) direct = true;
    else if (project.complete) direct = false;
    return makePackage({
      ...fields,
      direct,
      scopes: reach ? scopesOfReach(reach.get(key)) : [],
      dependsOn: [...new Set((edgesOf.get(key) ?? []).map((edge) => edge.target))],
    });
  });
  return { packages: result, skipped: [...skipped, ...missingEntriesSkipped(missing, '`yarn install`')], related: project.related };
}

function rootsFromManifest(manifest: JsonRecord, resolve: (dependency: ManifestDependency) => string | undefined): DependencyRoot[] {
  const roots: DependencyRoot[] = [];
  for (const dependency of listManifestDependencies(manifest, ROOT_FIELDS)) {
    const target = resolve(dependency);
    if (target !== undefined) roots.push({ target, dev: dependency.dev, optional: dependency.optional });
  }
  return roots;
}

/**
 * The project's manifests: package.json and those of its workspaces. `complete` is false when
 * package.json is missing or a workspace glob cannot be listed (ParseContext reads files, it does
 * not list directories): then an entry no known manifest asks for may still be direct.
 */
async function readProject(context: ParseContext): Promise<{ manifests: JsonRecord[]; related: string[]; complete: boolean }> {
  const root = await readManifest(context, 'package.json');
  if (!root) return { manifests: [], related: [], complete: false };
  const manifests = [root.manifest];
  const related = [root.path];
  let complete = true;
  for (const pattern of workspacePatterns(root.manifest)) {
    if (/[*?[{]/.test(pattern)) {
      complete = false;
      continue;
    }
    const workspace = await readManifest(context, `${pattern.replace(/\/+$/, '')}/package.json`);
    if (!workspace) {
      complete = false;
      continue;
    }
    manifests.push(workspace.manifest);
    related.push(workspace.path);
  }
  return { manifests, related, complete };
}

/** Registry unless a descriptor names git, a file or a URL, or `resolved` is not a registry tarball. */
function sourceOf(entry: YarnEntry): ReturnType<typeof classifySpecifier> {
  for (const descriptor of entry.descriptors) {
    const source = classifySpecifier(splitDescriptor(descriptor).range);
    if (source.kind !== 'registry') return source;
  }
  const resolved = asString(entry.data.resolved);
  return resolved === undefined ? { kind: 'registry' } : classifyResolved(resolved);
}

function readLockObject(file: DependencyFile): JsonRecord {
  // The tokenizer loops forever on a comment with no newline after it.
  const text = file.text.endsWith('\n') ? file.text : `${file.text}\n`;
  let parsed: ReturnType<typeof yarnLockfile.parse>;
  try {
    parsed = yarnLockfile.parse(text);
  } catch (error) {
    throw new LockfileParseError(`invalid yarn.lock: ${error instanceof Error ? error.message : String(error)}`, {
      location: { file: file.path, line: errorLine(text, error) },
      hint: 'the file is truncated or was edited by hand; run `yarn install` to rewrite it',
      cause: error,
    });
  }
  if (parsed.type !== 'success') {
    throw new LockfileParseError('yarn.lock has unresolved merge conflict markers', {
      location: { file: file.path, line: firstLineMatching(text, /^<<<<<<< /) },
      hint: 'resolve the conflict, or run `yarn install` to let Yarn merge the lockfile',
    });
  }
  return parsed.object;
}

/** The line the parser names in its message (`... 12:3 in lockfile`), or the first oddly indented. */
function errorLine(text: string, error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : '';
  const position = /(\d+):(\d+)/.exec(message);
  if (position?.[1]) return Number(position[1]);
  if (message.includes('spaces')) return firstLineMatching(text, /^(?: {2})* \S/);
  return undefined;
}

function firstLineMatching(text: string, pattern: RegExp): number | undefined {
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  return index < 0 ? undefined : index + 1;
}

/** Line of each descriptor in the entry headers (`"a@^1", a@^1.2:` lines at column 0). */
function indexHeaderLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const rows = text.split('\n');
  for (let index = 0; index < rows.length; index++) {
    const row = (rows[index] ?? '').trimEnd();
    if (row === '' || row.startsWith('#') || row.startsWith(' ') || !row.endsWith(':')) continue;
    for (const match of row.slice(0, -1).matchAll(/"((?:[^"\\]|\\.)*)"|([^\s,"][^,]*)/g)) {
      const descriptor = match[1] ?? match[2]?.trim();
      if (descriptor !== undefined && !lines.has(descriptor)) lines.set(descriptor, index + 1);
    }
  }
  return lines;
}
