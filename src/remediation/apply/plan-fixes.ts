import path from 'node:path';
import type { SkippedEntry } from '../../core/types.js';
import { parentBumpsToApply, type ParentBumpTarget } from '../parent-bump.js';
import type { Remediation } from '../plan.js';
import { ecosystemCommand, parentBumpCommand } from './ecosystem-command.js';
import { addPackageJsonOverrides, overridesKey, type OverrideEntry, type PackageJsonOverrideKind } from './package-json.js';
import { rewritePyprojectConstraints, type ConstraintChange, type ConstraintUpdate } from './pyproject-toml.js';
import { rewriteRequirementsPins, type PinUpdate } from './requirements-txt.js';

/** What `vigil fix` does (or cannot do) for one vulnerable package. */
export type FixStep =
  /** A requirements file pin rewritten; `hashed` when its `--hash` options must be regenerated. */
  | { readonly kind: 'pin'; readonly remediation: Remediation; readonly file: string; readonly line: number; readonly target: string; readonly hashed: boolean }
  /** pyproject.toml constraints rewritten to admit the target; `command` refreshes the lockfile. */
  | {
      readonly kind: 'constraint';
      readonly remediation: Remediation;
      readonly file: string;
      readonly changes: readonly ConstraintChange[];
      readonly target: string;
      readonly command: string | undefined;
    }
  /** Direct npm dependencies to bump so every path resolves to a fixed version (the override is the fallback). */
  | { readonly kind: 'parent-bump'; readonly remediation: Remediation; readonly target: string; readonly parents: readonly ParentBumpTarget[]; readonly command: string }
  /** An override added to (or already in) package.json; `command` refreshes the lockfile. */
  | { readonly kind: 'override'; readonly remediation: Remediation; readonly file: string; readonly key: string; readonly target: string; readonly command: string | undefined }
  /** A lockfile vigil does not rewrite: the package manager's command to run. */
  | { readonly kind: 'command'; readonly remediation: Remediation; readonly target: string; readonly command: string }
  /** An allowed fix that could not be applied, and why (with a command to run instead, if any). */
  | { readonly kind: 'not-applied'; readonly remediation: Remediation; readonly target: string; readonly reason: string; readonly command: string | undefined }
  /** Held by the maintenance policy or no fix: nothing applied. */
  | { readonly kind: 'held'; readonly remediation: Remediation };

/** A file whose text the fix changes. */
export interface FileChange {
  /** Path as the inventory names it (relative to the audited root). */
  readonly file: string;
  readonly before: string;
  readonly after: string;
}

export interface FixPlan {
  readonly changes: readonly FileChange[];
  /** One per remediation, in plan order. */
  readonly steps: readonly FixStep[];
}

export interface PlanFixesInput {
  readonly remediations: readonly Remediation[];
  /** The inventory's skipped entries: a requirements file with an invalid line is never rewritten. */
  readonly skipped: readonly SkippedEntry[];
  /** Reads a file by the inventory's path; `undefined` when it does not exist. */
  readonly readText: (file: string) => string | undefined;
}

function isRequirementsFile(remediation: Remediation): boolean {
  return remediation.package.ecosystem === 'PyPI' && /\.(txt|in)$/.test(remediation.package.location.file);
}

/** Lockfiles resolved from the pyproject.toml beside them. */
const PYPROJECT_LOCKFILES = new Set(['poetry.lock', 'uv.lock', 'pdm.lock']);

/** The pyproject.toml that may declare a direct PyPI package of a poetry, uv or pdm lockfile. */
function pyprojectOf(remediation: Remediation): string | undefined {
  const pkg = remediation.package;
  if (pkg.ecosystem !== 'PyPI' || pkg.direct === false || !PYPROJECT_LOCKFILES.has(path.posix.basename(pkg.location.file))) return undefined;
  return path.posix.join(path.posix.dirname(pkg.location.file), 'pyproject.toml');
}

/**
 * The edits and commands that apply the allowed part of a plan, computed without writing:
 * requirements files get their `==` pins rewritten, the pyproject.toml beside a poetry, uv or pdm
 * lockfile gets the constraints of its direct packages moved (then the lockfile's command),
 * indirect npm packages get a bump of their direct parents when every path has an allowed one,
 * else an override in package.json, other lockfiles get their package manager's command. A
 * requirements file with a line the parser could not read (an `invalid ...` skipped entry) and a
 * pyproject.toml that does not parse are left alone.
 */
export function planFixes(input: PlanFixesInput): FixPlan {
  const steps: (FixStep | undefined)[] = [];
  const pins = new Map<string, { index: number; update: PinUpdate }[]>();
  const overrides = new Map<string, { kind: PackageJsonOverrideKind; entries: { index: number; entry: OverrideEntry }[] }>();
  const constraints = new Map<string, { index: number; update: ConstraintUpdate }[]>();
  const broken = new Set(input.skipped.filter((entry) => entry.reason.startsWith('invalid')).map((entry) => entry.location.file));

  input.remediations.forEach((remediation, index) => {
    const target = remediation.proposed;
    if (remediation.decision.kind !== 'allowed' || target === undefined) {
      steps[index] = { kind: 'held', remediation };
      return;
    }
    const pkg = remediation.package;
    if (isRequirementsFile(remediation)) {
      const list = pins.get(pkg.location.file) ?? [];
      if (pkg.location.line === undefined) {
        steps[index] = { kind: 'not-applied', remediation, target, reason: `${pkg.location.file}: no line number for ${pkg.name}`, command: ecosystemCommand(pkg, target) };
        return;
      }
      list.push({ index, update: { line: pkg.location.line, name: pkg.name, from: pkg.version, to: target } });
      pins.set(pkg.location.file, list);
      return;
    }
    const parents = pkg.ecosystem === 'npm' ? parentBumpsToApply(remediation.parentBumps) : undefined;
    const bumpCommand = parents === undefined ? undefined : parentBumpCommand(pkg, parents);
    if (parents !== undefined && bumpCommand !== undefined) {
      steps[index] = { kind: 'parent-bump', remediation, target, parents, command: bumpCommand };
      return;
    }
    const pyproject = pyprojectOf(remediation);
    if (pyproject !== undefined) {
      const list = constraints.get(pyproject) ?? [];
      list.push({ index, update: { name: pkg.name, from: pkg.version, to: target } });
      constraints.set(pyproject, list);
      return;
    }
    const override = remediation.override;
    if (override && override.kind !== 'pip-constraint') {
      const file = path.posix.join(path.posix.dirname(pkg.location.file), override.file);
      const entry = overrides.get(file) ?? { kind: override.kind, entries: [] };
      entry.entries.push({ index, entry: { name: pkg.name, version: target } });
      overrides.set(file, entry);
      return;
    }
    const command = ecosystemCommand(pkg, target);
    steps[index] =
      command === undefined
        ? { kind: 'not-applied', remediation, target, reason: `${pkg.location.file} is not a file a package manager resolves from; update its source`, command }
        : { kind: 'command', remediation, target, command };
  });

  const changes: FileChange[] = [];
  for (const [file, list] of pins) {
    const notApplied = (item: { index: number; update: PinUpdate }, reason: string): void => {
      const remediation = input.remediations[item.index] as Remediation;
      steps[item.index] = { kind: 'not-applied', remediation, target: item.update.to, reason, command: ecosystemCommand(remediation.package, item.update.to) };
    };
    const before = input.readText(file);
    if (before === undefined || broken.has(file)) {
      const reason = before === undefined ? `${file}: cannot be read` : `${file} has lines that could not be parsed; not changed`;
      for (const item of list) notApplied(item, reason);
      continue;
    }
    const rewrite = rewriteRequirementsPins(before, list.map((item) => item.update));
    for (const item of list) {
      const change = rewrite.changes.find((candidate) => candidate.line === item.update.line && candidate.name === item.update.name);
      const problem = rewrite.problems.find((candidate) => candidate.line === item.update.line && candidate.name === item.update.name);
      const remediation = input.remediations[item.index] as Remediation;
      if (change) steps[item.index] = { kind: 'pin', remediation, file, line: change.line, target: change.to, hashed: change.hashed };
      else notApplied(item, `${file}:${item.update.line}: ${problem?.message ?? 'not rewritten'}`);
    }
    if (rewrite.text !== before) changes.push({ file, before, after: rewrite.text });
  }
  for (const [file, { kind, entries }] of overrides) {
    const before = input.readText(file);
    const key = overridesKey(kind);
    if (before === undefined) {
      for (const { index, entry } of entries) {
        const remediation = input.remediations[index] as Remediation;
        steps[index] = { kind: 'not-applied', remediation, target: entry.version, reason: `${file} not found: add ${remediation.override?.text ?? key} to the project's package.json`, command: undefined };
      }
      continue;
    }
    const edit = addPackageJsonOverrides(before, kind, entries.map((item) => item.entry));
    for (const { index, entry } of entries) {
      const remediation = input.remediations[index] as Remediation;
      const problem = edit.problems.find((candidate) => candidate.name === entry.name);
      steps[index] = problem
        ? { kind: 'not-applied', remediation, target: entry.version, reason: `${file}: ${problem.message}`, command: undefined }
        : { kind: 'override', remediation, file, key, target: entry.version, command: ecosystemCommand(remediation.package, entry.version) };
    }
    if (edit.text !== before) changes.push({ file, before, after: edit.text });
  }
  for (const [file, list] of constraints) {
    const before = input.readText(file);
    const commandStep = (item: { index: number; update: ConstraintUpdate }): FixStep => {
      const remediation = input.remediations[item.index] as Remediation;
      const command = ecosystemCommand(remediation.package, item.update.to);
      return command === undefined
        ? { kind: 'not-applied', remediation, target: item.update.to, reason: `${remediation.package.location.file}: no command known`, command }
        : { kind: 'command', remediation, target: item.update.to, command };
    };
    if (before === undefined) {
      // No pyproject.toml: the lockfile's command is all there is, as before.
      for (const item of list) steps[item.index] = commandStep(item);
      continue;
    }
    // A package with a declaration that cannot be rewritten keeps all of its declarations as they are.
    const first = rewritePyprojectConstraints(before, list.map((item) => item.update));
    const troubled = new Set(first.problems.map((problem) => problem.name));
    const rewrite = troubled.size === 0 ? first : rewritePyprojectConstraints(before, list.filter((item) => !troubled.has(item.update.name)).map((item) => item.update));
    for (const item of list) {
      const remediation = input.remediations[item.index] as Remediation;
      const command = ecosystemCommand(remediation.package, item.update.to);
      const problem = first.problems.find((candidate) => candidate.name === item.update.name) ?? rewrite.problems.find((candidate) => candidate.name === item.update.name);
      const mine = rewrite.changes.filter((change) => change.name === item.update.name);
      if (problem) {
        const where = problem.line === undefined ? file : `${file}:${problem.line}`;
        steps[item.index] = { kind: 'not-applied', remediation, target: item.update.to, reason: `${where}: ${problem.message}`, command };
      } else if (mine.length > 0) {
        steps[item.index] = { kind: 'constraint', remediation, file, changes: mine, target: item.update.to, command };
      } else {
        steps[item.index] = commandStep(item);
      }
    }
    if (rewrite.text !== before) changes.push({ file, before, after: rewrite.text });
  }
  changes.sort((a, b) => a.file.localeCompare(b.file));
  return { changes, steps: steps.filter((step): step is FixStep => step !== undefined) };
}
