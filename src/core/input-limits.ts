// The bounds on everything vigil reads, in one place. A file beyond them is an input error that
// names the file (exit 2), never a hang, an out-of-memory crash or a stack overflow: an auditor
// fails closed on hostile input (a truncated checkout, a zip bomb, a "billion laughs" YAML
// document, `[[[[...` nested a hundred thousand times).

const MiB = 1024 * 1024;

/** Largest dependency file (lockfile, manifest, SBOM): 64 MiB, many times the largest real lockfile. */
export const MAX_DEPENDENCY_FILE_BYTES = 64 * MiB;

/** Largest configuration file (vigil.yaml, desk.yaml, an allowlist): 4 MiB. */
export const MAX_CONFIG_FILE_BYTES = 4 * MiB;

/** Largest advisory record, a file or a zip entry once inflated: 8 MiB (real OSV records are kilobytes). */
export const MAX_ADVISORY_RECORD_BYTES = 8 * MiB;

/** Largest advisory archive (an OSV `all.zip`), read from disk or downloaded: 1 GiB. */
export const MAX_ADVISORY_ARCHIVE_BYTES = 1024 * MiB;

/** Deepest nesting of arrays, objects, tables and mappings in JSON, TOML, YAML and yarn.lock: 512 levels. */
export const MAX_NESTING_DEPTH = 512;

/** Most alias nodes (`*name`) in one YAML document: 100. */
export const MAX_YAML_ALIASES = 100;

/**
 * Most nodes YAML aliases may stand for once expanded, as the `yaml` package counts them
 * (`maxAliasCount`): 100, its own default, which stops a "billion laughs" document at once.
 */
export const MAX_YAML_ALIAS_EXPANSION = 100;

/** `64 MiB`, `512 KiB`, `100 bytes`: a limit as a message shows it. */
export function formatByteSize(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return bytes >= 1024 * MiB && bytes % (1024 * MiB) === 0 ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** `larger than the 64 MiB limit for a dependency file`. */
export function tooLargeMessage(limit: number, what: string): string {
  return `larger than the ${formatByteSize(limit)} limit for ${what}`;
}

/** `nested deeper than the limit of 512 levels`. */
export function tooDeepMessage(limit = MAX_NESTING_DEPTH): string {
  return `nested deeper than the limit of ${limit} levels`;
}

/**
 * Whether a parsed value (plain objects and arrays, as JSON.parse, smol-toml or `yaml` give them)
 * nests deeper than `limit` levels. Iterative, so a value too deep for a recursive walk is still
 * measured; a `Date` counts as a leaf.
 */
export function nestsDeeperThan(value: unknown, limit = MAX_NESTING_DEPTH): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const current = top.value;
    if (typeof current !== 'object' || current === null || current instanceof Date) continue;
    const depth = top.depth + 1;
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth });
    }
  }
  return false;
}
