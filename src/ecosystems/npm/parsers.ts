import type { LockfileParser } from '../types.js';

/** The npm dependency file parsers. */
export const npmParsers: readonly LockfileParser[] = [];
