/** Where in package.json each package manager reads its overrides. */
export type PackageJsonOverrideKind = 'npm-overrides' | 'yarn-resolutions' | 'pnpm-overrides';

/** One override to add: resolve `name` to `version` wherever it appears. */
export interface OverrideEntry {
  readonly name: string;
  readonly version: string;
}

export interface PackageJsonEdit {
  /** The new text (the input when nothing was added). */
  readonly text: string;
  /** Entries added. */
  readonly added: readonly OverrideEntry[];
  /** Entries already present with the same version. */
  readonly present: readonly OverrideEntry[];
  /** Entries not added, and why (an existing override to another version, a malformed file). */
  readonly problems: readonly { readonly name: string; readonly message: string }[];
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The indentation of the file's first indented key (two spaces when it has none). */
export function detectIndent(text: string): string {
  return /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
}

const LOCATION: Readonly<Record<PackageJsonOverrideKind, readonly string[]>> = {
  // https://docs.npmjs.com/cli/v10/configuring-npm/package-json#overrides
  'npm-overrides': ['overrides'],
  // https://classic.yarnpkg.com/en/docs/selective-version-resolutions/
  'yarn-resolutions': ['resolutions'],
  // https://pnpm.io/package_json#pnpmoverrides
  'pnpm-overrides': ['pnpm', 'overrides'],
};

/** The JSON path of the overrides, e.g. `pnpm.overrides`. */
export function overridesKey(kind: PackageJsonOverrideKind): string {
  return LOCATION[kind].join('.');
}

/**
 * Adds override entries to a package.json: parsed as JSON, written back with the file's own
 * indentation, line endings and final newline. Existing keys keep their order and values; only
 * new keys are appended (an override already pinning another version is a problem, not replaced).
 */
export function addPackageJsonOverrides(text: string, kind: PackageJsonOverrideKind, entries: readonly OverrideEntry[]): PackageJsonEdit {
  const unchanged = (message: string): PackageJsonEdit => ({
    text,
    added: [],
    present: [],
    problems: entries.map((entry) => ({ name: entry.name, message })),
  });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return unchanged(`not valid JSON (${error instanceof Error ? error.message : String(error)}); not changed`);
  }
  if (!isObject(document)) return unchanged('not a JSON object; not changed');
  let holder: JsonObject = document;
  for (const key of LOCATION[kind]) {
    const next = holder[key] ?? {};
    if (!isObject(next)) return unchanged(`"${overridesKey(kind)}" is not an object; not changed`);
    holder[key] = next;
    holder = next;
  }
  const added: OverrideEntry[] = [];
  const present: OverrideEntry[] = [];
  const problems: { name: string; message: string }[] = [];
  for (const entry of entries) {
    const existing = holder[entry.name];
    if (existing === undefined) {
      holder[entry.name] = entry.version;
      added.push(entry);
    } else if (existing === entry.version) {
      present.push(entry);
    } else {
      problems.push({ name: entry.name, message: `"${overridesKey(kind)}" already sets ${entry.name} to ${JSON.stringify(existing)}; not changed` });
    }
  }
  if (added.length === 0) return { text, added, present, problems };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = JSON.stringify(document, null, detectIndent(text));
  if (eol !== '\n') out = out.replace(/\n/g, eol);
  if (/\r?\n$/.test(text)) out += eol;
  return { text: out, added, present, problems };
}
