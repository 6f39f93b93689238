// Hostile inputs built from a few bytes, shared by the unit and end-to-end tests of the input
// limits (src/core/input-limits.ts).

/** Generous: the fixed readers answer in milliseconds; the unfixed ones ran for a minute or more. */
export const HOSTILE_TIME_LIMIT_MS = 5_000;

/**
 * A "billion laughs" YAML fragment: `a` holds `width` strings, each next level `width` aliases of
 * the one before, `levels` levels (9 x 9: 387 million strings once expanded, in about 400 bytes).
 */
export function yamlAliasBomb(levels = 9, width = 9): string {
  const names = 'abcdefghijklmnopqrstuvwxyz'.slice(0, levels);
  const lines = [`a: &a [${Array.from({ length: width }, () => '"x"').join(',')}]`];
  for (let level = 1; level < names.length; level++) {
    const name = names[level] ?? '';
    const previous = names[level - 1] ?? '';
    lines.push(`${name}: &${name} [${Array.from({ length: width }, () => `*${previous}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** `[[[...]]]`, `depth` levels: one level per two bytes. */
export function nestedBrackets(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}
