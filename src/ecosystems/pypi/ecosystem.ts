import type { Ecosystem } from '../types.js';
import { pep440Scheme } from './version.js';

/** PEP 503 normalised form: lowercase, runs of `-`, `_`, `.` become one `-`. */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export const pypi: Ecosystem = {
  id: 'PyPI',
  purlType: 'pypi',
  versions: pep440Scheme,
  normalizeName: normalizePypiName,
  // purl-spec: pypi names are lowercased with `_` replaced by `-`.
  purl: (name, version) =>
    `pkg:pypi/${encodeURIComponent(normalizePypiName(name))}@${encodeURIComponent(version)}`,
};
