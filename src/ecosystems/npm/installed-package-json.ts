import { parseJsonFile } from '../json-file.js';
import { makePackage } from '../package.js';
import type { DependencyFile, ParsedDependencyFile } from '../types.js';

/**
 * The `name` and `version` of one package installed in a node_modules tree
 * (`node_modules/<name>/package.json`, nested ones included). The name is the package's own,
 * not the folder's: an alias (`"x": "npm:lodash@4"`) installs lodash under `x`. A package.json
 * without both is a skipped entry.
 */
export function parseInstalledPackageJson(file: DependencyFile): Promise<ParsedDependencyFile> {
  const value = parseJsonFile(file, 'an installed package.json', 'the package is damaged; reinstall it (npm ci)');
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const name = typeof record['name'] === 'string' ? record['name'] : undefined;
  const version = typeof record['version'] === 'string' ? record['version'] : undefined;
  if (name === undefined || name === '' || version === undefined || version === '') {
    return Promise.resolve({
      packages: [],
      skipped: [
        {
          location: { file: file.path, line: 1 },
          ...(name ? { name } : {}),
          ecosystem: 'npm',
          reason: `installed package.json without ${name ? 'a version' : 'a name'}`,
        },
      ],
      related: [],
    });
  }
  const line = lineOfKey(file.text, 'version');
  return Promise.resolve({
    packages: [makePackage({ ecosystem: 'npm', name, version, location: { file: file.path, ...(line === undefined ? {} : { line }) }, direct: 'unknown' })],
    skipped: [],
    related: [],
  });
}

/** 1-based line of the first `"key":` in the text. */
function lineOfKey(text: string, key: string): number | undefined {
  const offset = text.search(new RegExp(`"${key}"\\s*:`));
  if (offset < 0) return undefined;
  let line = 1;
  for (let index = 0; index < offset; index++) if (text.charCodeAt(index) === 10) line += 1;
  return line;
}
