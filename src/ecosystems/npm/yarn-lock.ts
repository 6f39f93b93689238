import { LockfileParseError } from '../../core/errors.js';
import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';
import { findYarnV1Hazard } from './yarn-lock-v1-check.js';

/**
 * Yarn 2+ lockfiles start with a `__metadata:` mapping; Yarn Classic's never have one (an empty
 * Berry file with only its header comments reads the same either way: no entries).
 */
export function isYarnBerryLock(text: string): boolean {
  return /^__metadata:/m.test(text);
}

/**
 * yarn.lock, Yarn Classic (v1) or Yarn 2+ (Berry), told apart by content; each loaded only when
 * met. A Classic file that would hang its parser (@yarnpkg/lockfile) never reaches it.
 */
export async function parseYarnLock(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  if (isYarnBerryLock(file.text)) return (await import('./yarn-lock-berry.js')).parseYarnBerryLock(file, context);
  const hazard = findYarnV1Hazard(file.text);
  if (hazard !== undefined) {
    throw new LockfileParseError(`invalid yarn.lock: ${hazard.message}`, {
      location: { file: file.path, line: hazard.line },
      hint: 'the file is truncated or was edited by hand; run `yarn install` to rewrite it',
    });
  }
  return (await import('./yarn-lock-v1.js')).parseYarnV1Lock(file, context);
}
