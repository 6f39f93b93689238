import type { LockfileParser } from '../types.js';

/** The pypi dependency file parsers. */
export const pypiParsers: readonly LockfileParser[] = [];
