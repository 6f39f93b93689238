import type { LockfileParser } from '../types.js';

/** The sbom dependency file parsers. */
export const sbomParsers: readonly LockfileParser[] = [];
