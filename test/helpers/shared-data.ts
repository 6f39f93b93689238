import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LockfileParser, ParsedDependencyFile } from '../../src/ecosystems/types.js';
import { fileParseContext, readDependencyFile } from '../../src/inventory/read-file.js';

/** The repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Real advisory data and lockfiles of public projects, kept beside the repository, never copied in. */
export const sharedDir = path.resolve(repoRoot, '../shared');

/** Absolute path of a file under the shared data folder; fails loudly when it is missing. */
export function shared(...parts: string[]): string {
  const target = path.join(sharedDir, ...parts);
  if (!existsSync(target)) throw new Error(`shared test data missing: ${path.join(...parts)}`);
  return target;
}

/** Absolute path of a fixture under test/fixtures. */
export function fixture(...parts: string[]): string {
  return path.join(repoRoot, 'test', 'fixtures', ...parts);
}

/** Reads and parses one file the way the inventory stage does, paths shown relative to `root`. */
export async function parseFile(
  parser: LockfileParser,
  absolutePath: string,
  root = path.dirname(absolutePath),
): Promise<ParsedDependencyFile> {
  const file = await readDependencyFile(root, absolutePath);
  return parser.parse(file, fileParseContext(root, file));
}
