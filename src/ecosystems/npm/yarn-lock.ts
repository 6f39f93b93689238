import type { LockfileParser } from '../types.js';
import { parseYarnBerryLock } from './yarn-lock-berry.js';
import { parseYarnV1Lock } from './yarn-lock-v1.js';

/**
 * Yarn 2+ lockfiles start with a `__metadata:` mapping; Yarn Classic's never have one (an empty
 * Berry file with only its header comments reads the same either way: no entries).
 */
export function isYarnBerryLock(text: string): boolean {
  return /^__metadata:/m.test(text);
}

/** yarn.lock, Yarn Classic (v1) or Yarn 2+ (Berry), told apart by content. */
export const yarnLockParser: LockfileParser = {
  id: 'yarn.lock',
  ecosystems: ['npm'],
  matchesFileName: (fileName) => fileName === 'yarn.lock',
  parse: (file, context) => (isYarnBerryLock(file.text) ? parseYarnBerryLock(file, context) : parseYarnV1Lock(file, context)),
};
