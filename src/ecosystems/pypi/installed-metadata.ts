import { makePackage } from '../package.js';
import type { DependencyFile, ParsedDependencyFile } from '../types.js';

/** Most header lines read before the body of a METADATA file (real ones have under 100). */
const MAX_HEADER_LINES = 10_000;

/**
 * The `Name` and `Version` of an installed distribution's core metadata: `*.dist-info/METADATA` or
 * `*.egg-info/PKG-INFO` (https://packaging.python.org/en/latest/specifications/core-metadata/),
 * as pip-audit reads an environment through importlib.metadata. The headers are RFC 822 style
 * and end at the first empty line (the description follows); a continuation line starts with
 * whitespace. A file without both fields is a skipped entry: vigil cannot say what is installed.
 */
export function parseInstalledMetadata(file: DependencyFile): Promise<ParsedDependencyFile> {
  const lines = file.text.split(/\r?\n/);
  const fields = new Map<string, { value: string; line: number }>();
  for (let index = 0; index < Math.min(lines.length, MAX_HEADER_LINES); index++) {
    const text = lines[index] ?? '';
    if (text.trim() === '') break;
    if (/^[ \t]/.test(text)) continue;
    const colon = text.indexOf(':');
    if (colon <= 0) continue;
    const key = text.slice(0, colon).trim().toLowerCase();
    if (!fields.has(key)) fields.set(key, { value: text.slice(colon + 1).trim(), line: index + 1 });
  }
  const name = fields.get('name');
  const version = fields.get('version');
  if (name === undefined || name.value === '' || version === undefined || version.value === '') {
    return Promise.resolve({
      packages: [],
      skipped: [
        {
          location: { file: file.path, line: 1 },
          ...(name?.value ? { name: name.value } : {}),
          ecosystem: 'PyPI',
          reason: `installed package metadata without ${name?.value ? 'a Version' : 'a Name'} field`,
        },
      ],
      related: [],
    });
  }
  return Promise.resolve({
    packages: [
      makePackage({
        ecosystem: 'PyPI',
        name: name.value,
        version: version.value,
        location: { file: file.path, line: version.line },
        direct: 'unknown',
      }),
    ],
    skipped: [],
    related: [],
  });
}
