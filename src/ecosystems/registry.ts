import { debianParsers } from './debian/parsers.js';
import { npmParsers } from './npm/parsers.js';
import { pypiParsers } from './pypi/parsers.js';
import { sbomParsers } from './sbom/parsers.js';
import type { LockfileParser } from './types.js';

export { ecosystemOf, ecosystems } from './ecosystems.js';

/** Every dependency file format, most specific first. */
export const lockfileParsers: readonly LockfileParser[] = [...pypiParsers, ...npmParsers, ...debianParsers, ...sbomParsers];
