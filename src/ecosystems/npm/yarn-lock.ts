import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';

/**
 * Yarn 2+ lockfiles start with a `__metadata:` mapping; Yarn Classic's never have one (an empty
 * Berry file with only its header comments reads the same either way: no entries).
 */
export function isYarnBerryLock(text: string): boolean {
  return /^__metadata:/m.test(text);
}

/** yarn.lock, Yarn Classic (v1) or Yarn 2+ (Berry), told apart by content; each loaded only when met. */
export async function parseYarnLock(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  if (isYarnBerryLock(file.text)) return (await import('./yarn-lock-berry.js')).parseYarnBerryLock(file, context);
  return (await import('./yarn-lock-v1.js')).parseYarnV1Lock(file, context);
}
