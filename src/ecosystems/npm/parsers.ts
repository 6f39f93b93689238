import type { LockfileParser } from '../types.js';
import { packageLockParser } from './package-lock.js';
import { pnpmLockParser } from './pnpm-lock.js';
import { yarnLockParser } from './yarn-lock.js';

/** The npm dependency file parsers. */
export const npmParsers: readonly LockfileParser[] = [packageLockParser, yarnLockParser, pnpmLockParser];
