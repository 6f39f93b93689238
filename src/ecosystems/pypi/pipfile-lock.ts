import { LockfileParseError } from '../../core/errors.js';
import { notAudited, type Package, type PackageScope, type SkippedEntry } from '../../core/types.js';
import { lineOfOffset, makePackage } from '../package.js';
import { parseJsonFile } from '../json-file.js';
import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';
import { normalizePypiName } from './ecosystem.js';
import { missingSectionError, unsupportedVersionError } from './lock-support.js';
import { parseTomlFile, tableAt } from './toml.js';

/** The newest `_meta.pipfile-spec` this parser knows (Pipenv has written 6 since 2018). */
const NEWEST_SPEC = 6;

const SECTIONS = ['default', 'develop'] as const;
type Section = (typeof SECTIONS)[number];

/** Reads a Pipfile.lock and, when present, the Pipfile beside it. */
export async function parsePipfileLock(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  const document = parseJson(file);
  const meta = asObject(document._meta);
  if (meta === undefined) throw missingSectionError(file, 'Pipfile.lock', '"_meta" object', '`pipenv lock`');
  const spec = meta['pipfile-spec'];
  if (typeof spec === 'number' && spec > NEWEST_SPEC) {
    const line = keyLines(file.text).meta;
    throw unsupportedVersionError(file, 'Pipfile.lock', `pipfile-spec ${spec}`, line, `pipfile-spec ${NEWEST_SPEC} and earlier`);
  }

  const pipfile = await readPipfile(context);
  const lines = keyLines(file.text);
  const packages: Package[] = [];
  const skipped: SkippedEntry[] = [];
  // Names are PEP 503-normalised here so `Foo` and `foo` at one version are one package.
  const seen = new Set<string>();
  for (const section of SECTIONS) {
    for (const [name, raw] of Object.entries(asObject(document[section]) ?? {})) {
      const location = { file: file.path, line: lines[section].get(name) };
      const entry = asObject(raw) ?? {};
      const reason = skipReasonOf(entry);
      const version = typeof entry.version === 'string' ? entry.version : undefined;
      if (reason !== undefined || version === undefined) {
        skipped.push({ location, name, version, ecosystem: 'PyPI', ...(reason === undefined ? { reason: 'package without a version' } : notAudited(reason)) });
        continue;
      }
      const pinned = /^\s*===?\s*(\S+)\s*$/.exec(version)?.[1];
      if (pinned === undefined) {
        skipped.push({ location, name, version, ecosystem: 'PyPI', reason: 'not pinned with == or ===' });
        continue;
      }
      const identity = `${normalizePypiName(name)}@${pinned}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      const scopes: PackageScope[] = section === 'develop' ? ['dev'] : [];
      packages.push(
        makePackage({
          ecosystem: 'PyPI',
          name,
          version: pinned,
          location,
          direct: pipfile ? pipfile.names.has(normalizePypiName(name)) : 'unknown',
          scopes,
        }),
      );
    }
  }
  return { packages, skipped, related: pipfile ? [pipfile.path] : [] };
}

function skipReasonOf(entry: Record<string, unknown>): string | undefined {
  if ('git' in entry || 'hg' in entry || 'svn' in entry || 'bzr' in entry) return 'VCS source (not from a package index)';
  if ('path' in entry || 'file' in entry) return 'local path or file (not from a package index)';
  if (entry.editable === true) return 'editable install';
  return undefined;
}

async function readPipfile(context: ParseContext): Promise<{ path: string; names: Set<string> } | undefined> {
  const file = await context.readRelated('Pipfile');
  if (!file) return undefined;
  const document = parseTomlFile(file);
  const names = new Set<string>();
  for (const table of ['packages', 'dev-packages']) {
    for (const name of Object.keys(tableAt(document[table]) ?? {})) names.add(normalizePypiName(name));
  }
  return { path: file.path, names };
}

function parseJson(file: DependencyFile): Record<string, unknown> {
  const value = parseJsonFile(file, 'Pipfile.lock', 'Pipfile.lock must be the JSON file Pipenv writes; regenerate it with `pipenv lock`');
  const object = asObject(value);
  if (!object) {
    throw new LockfileParseError('Pipfile.lock is not a JSON object', {
      location: { file: file.path, line: 1 },
      hint: 'regenerate it with `pipenv lock`',
    });
  }
  return object;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Lines of the package keys of each section and of `_meta`, found by walking the JSON text (the
 * file already parsed, so the walk only tracks strings and nesting).
 */
function keyLines(text: string): { meta: number | undefined } & Record<Section, Map<string, number>> {
  const lineAt = lineOfOffset(text);
  const result = { meta: undefined as number | undefined, default: new Map<string, number>(), develop: new Map<string, number>() };
  let depth = 0;
  let topKey: string | undefined;
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      const literal = text.slice(start, i + 1);
      i++;
      let j = i;
      while (j < text.length && /\s/.test(text[j] ?? '')) j++;
      if (text[j] !== ':') continue;
      const key = JSON.parse(literal) as string;
      if (depth === 1) {
        topKey = key;
        if (key === '_meta') result.meta = lineAt(start);
      } else if (depth === 2 && (topKey === 'default' || topKey === 'develop') && !result[topKey].has(key)) {
        result[topKey].set(key, lineAt(start));
      }
      continue;
    }
    if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    i++;
  }
  return result;
}

