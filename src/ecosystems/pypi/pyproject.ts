import type { ParseContext } from '../types.js';
import { normalizePypiName } from './ecosystem.js';
import { parseRequirement } from './requirement.js';
import { arrayAt, isTable, parseTomlFile, stringAt, tableAt } from './toml.js';

/** The dependencies a pyproject.toml declares, by PEP 503 name. */
export interface DeclaredDependencies {
  /** Display path of the pyproject.toml read. */
  readonly path: string;
  /** Runtime dependencies (`[project] dependencies`, `[tool.poetry.dependencies]`). */
  readonly main: ReadonlySet<string>;
  /** Extras (`[project.optional-dependencies]`, poetry dependencies with `optional = true`). */
  readonly optional: ReadonlySet<string>;
  /** Development groups (PEP 735 `[dependency-groups]`, poetry groups, pdm and uv dev-dependencies). */
  readonly dev: ReadonlySet<string>;
  /** Names of the extras defined by `[project.optional-dependencies]`. */
  readonly extras: ReadonlySet<string>;
}

/** Every name the project asks for itself, in any group. */
export function declaredNames(declared: DeclaredDependencies): Set<string> {
  return new Set([...declared.main, ...declared.optional, ...declared.dev]);
}

/**
 * Reads the `pyproject.toml` beside the file being parsed; `undefined` when there is none. A
 * pyproject.toml that is not valid TOML is an error: the lockfile's direct dependencies and
 * scopes would silently be wrong otherwise.
 */
export async function readDeclaredDependencies(context: ParseContext): Promise<DeclaredDependencies | undefined> {
  const file = await context.readRelated('pyproject.toml');
  if (!file) return undefined;
  const document = parseTomlFile(file);
  const project = tableAt(document.project);
  const projectName = stringAt(project?.name);
  const selfName = projectName === undefined ? undefined : normalizePypiName(projectName);
  const extrasTable = tableAt(project?.['optional-dependencies']) ?? {};

  const main = new Set<string>();
  const optional = new Set<string>();
  const dev = new Set<string>();

  // A project may name itself with extras (`pdm[pytest]` in a dev group) to reuse its extras.
  const addRequirement = (target: Set<string>, text: string, seenExtras: Set<string>): void => {
    const requirement = parseRequirement(text);
    if (!requirement) return;
    const normalized = normalizePypiName(requirement.name);
    if (normalized !== selfName) {
      target.add(normalized);
      return;
    }
    for (const extra of requirement.extras) {
      if (seenExtras.has(extra)) continue;
      seenExtras.add(extra);
      for (const item of arrayAt(extrasTable[extra])) {
        if (typeof item === 'string') addRequirement(target, item, seenExtras);
      }
    }
  };
  const addStrings = (target: Set<string>, value: unknown): void => {
    for (const item of arrayAt(value)) {
      // pdm writes local editables as `-e file:///...` in dev groups: not registry packages.
      if (typeof item === 'string' && !item.trimStart().startsWith('-')) addRequirement(target, item, new Set());
    }
  };

  addStrings(main, project?.dependencies);
  for (const value of Object.values(extrasTable)) addStrings(optional, value);
  // PEP 735 `{include-group = "x"}` items name groups of the same table, which are all walked.
  for (const value of Object.values(tableAt(document['dependency-groups']) ?? {})) addStrings(dev, value);

  const tool = tableAt(document.tool);
  const poetry = tableAt(tool?.poetry);
  for (const [name, spec] of Object.entries(tableAt(poetry?.dependencies) ?? {})) {
    if (name === 'python') continue;
    const isOptional = isTable(spec) && spec.optional === true;
    (isOptional ? optional : main).add(normalizePypiName(name));
  }
  for (const name of Object.keys(tableAt(poetry?.['dev-dependencies']) ?? {})) dev.add(normalizePypiName(name));
  for (const [group, body] of Object.entries(tableAt(poetry?.group) ?? {})) {
    const target = group === 'main' ? main : dev;
    for (const name of Object.keys(tableAt(tableAt(body)?.dependencies) ?? {})) {
      if (name !== 'python') target.add(normalizePypiName(name));
    }
  }
  for (const value of Object.values(tableAt(tableAt(tool?.pdm)?.['dev-dependencies']) ?? {})) addStrings(dev, value);
  addStrings(dev, tableAt(tool?.uv)?.['dev-dependencies']);

  return { path: file.path, main, optional, dev, extras: new Set(Object.keys(extrasTable)) };
}
