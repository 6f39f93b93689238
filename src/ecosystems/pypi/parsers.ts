import type { LockfileParser } from '../types.js';
import { pdmLockParser } from './pdm-lock.js';
import { pipfileLockParser } from './pipfile-lock.js';
import { poetryLockParser } from './poetry-lock.js';
import { pylockTomlParser } from './pylock-toml.js';
import { requirementsTxtParser } from './requirements-txt.js';
import { uvLockParser } from './uv-lock.js';

/** The pypi dependency file parsers: lockfiles first, then requirements files. */
export const pypiParsers: readonly LockfileParser[] = [
  poetryLockParser,
  uvLockParser,
  pdmLockParser,
  pylockTomlParser,
  pipfileLockParser,
  requirementsTxtParser,
];
