import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { planFixes, type FixStep } from '../../remediation/apply/plan-fixes.js';
import { splitLinesForDiff, unifiedDiff } from '../../remediation/apply/unified-diff.js';
import { parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { visibleText } from '../../core/visible-text.js';
import { auditAndPlan, PLAN_ARG_OPTIONS, PLAN_OPTIONS_HELP, readPlanRunOptions } from './plan.js';

export const FIX_HELP = `Usage: vigil fix [PATH...] [options]

Plans like "vigil plan", then applies the fixes the maintenance policy allows:
  requirements*.txt   the == pin of each vulnerable package is rewritten to its target; comments,
                      markers, extras, continuation lines and order are kept. A requirement with
                      --hash options is rewritten and flagged: regenerate its hashes
                      (pip-compile --generate-hashes). A file with an unparseable line is not touched.
  pyproject.toml      beside a poetry.lock, uv.lock or pdm.lock: the constraint of each direct
                      vulnerable package ([project] dependencies and optional-dependencies,
                      [dependency-groups], Poetry dependencies and groups) is moved so it admits
                      the target and excludes the locked version (>=4.2,<5 -> >=4.2.17,<5;
                      ^4.2 -> ^4.2.17); the rest of the file is kept byte for byte; then the
                      lockfile's command is printed. A file that does not parse is not touched.
  package.json        indirect npm packages get an entry in "overrides" (npm), "resolutions"
                      (yarn) or "pnpm.overrides" (pnpm); existing keys and indentation are kept.
                      When the registry shows an allowed bump of the direct parent on every path
                      that brings a fixed version, that bump is printed instead
                      (npm install parent@x) and the override is the fallback
  other lockfiles     the package manager's own command is printed (poetry update pkg,
                      uv lock --upgrade-package pkg==x, pdm update pkg, pipenv update pkg,
                      npm install pkg@x, yarn up pkg@x, pnpm update pkg@x)
Held fixes and packages without a fix are listed, not applied. Files are written atomically.

Options:
  --dry-run            print a unified diff of the changes on stdout (applicable with
                       "git apply" or "patch -p1") and change nothing; the summary goes to stderr
${PLAN_OPTIONS_HELP}

Exit codes:
  0  every vulnerable package got its allowed fix (applied, or a command to run), or none is vulnerable
  1  some fix is held by the maintenance policy, has no fixed version, or could not be applied
  2  usage, configuration or input error (bad flag, unparseable lockfile)
  3  advisory data unavailable (store missing, older than --max-db-age, download failed)
  4  nothing to audit (no dependency file found)
`;

function describeStep(step: FixStep): string {
  const pkg = step.remediation.package;
  const subject = `${pkg.name} ${pkg.version}`;
  switch (step.kind) {
    case 'pin':
      return `pinned: ${step.file}:${step.line}: ${subject} -> ${step.target}${step.hashed ? ' (has --hash options: regenerate them with pip-compile --generate-hashes)' : ''}`;
    case 'constraint': {
      // One line per declaration; the lockfile's command once, after the last.
      const lines = step.changes.map((change) => `constraint: ${step.file}:${change.line}: ${pkg.name} "${change.before}" -> "${change.after}" (${change.section})`);
      return `${lines.join('\n')}${step.command === undefined ? '' : `; then run: ${step.command}`}`;
    }
    case 'parent-bump': {
      const bumps = step.parents.map((parent) => `${parent.name} ${parent.from} -> ${parent.to}`).join(', ');
      const fallback = step.remediation.override === undefined ? '' : `; fallback: ${step.remediation.override.file}: ${step.remediation.override.text}`;
      return `run: ${step.command}    # ${pkg.location.file}: ${subject} fixed by bumping its parent ${bumps}${fallback}`;
    }
    case 'override':
      return `override: ${step.file} "${step.key}": ${pkg.name} -> ${step.target}${step.command === undefined ? '' : `; then run: ${step.command}`}`;
    case 'command':
      return `run: ${step.command}    # ${pkg.location.file}: ${subject} -> ${step.target}`;
    case 'not-applied':
      return `not applied: ${subject} -> ${step.target}: ${step.reason}${step.command === undefined ? '' : `; run instead: ${step.command}`}`;
    case 'held': {
      const { decision } = step.remediation;
      return decision.kind === 'allowed'
        ? `held: ${subject}`
        : `${decision.kind === 'held' ? 'held' : 'no fix'}: ${pkg.location.file}: ${decision.reason}; instead: ${decision.alternative.text}`;
    }
  }
}

export async function runFix(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('fix', args, {
    ...PLAN_ARG_OPTIONS,
    'dry-run': { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(FIX_HELP);
    return EXIT.ok;
  }
  const dryRun = values['dry-run'];
  const planned = await auditAndPlan(readPlanRunOptions('fix', values, positionals), io);
  const root = process.cwd();
  const fixes = planFixes({
    remediations: planned.plan.remediations,
    skipped: planned.result.inventory.skipped,
    readText: (file) => {
      try {
        return readFileSync(path.resolve(root, file), 'utf8');
      } catch {
        return undefined;
      }
    },
  });

  // Without --dry-run the summary is the output; with it, the diff is, and the summary is a log.
  const say = (line: string): void => {
    if (dryRun) io.log(line);
    else io.stdout.write(`${visibleText(line)}\n`);
  };
  for (const change of fixes.changes) {
    if (dryRun) {
      io.stdout.write(unifiedDiff(splitLinesForDiff(change.before), splitLinesForDiff(change.after), { fromFile: `a/${change.file}`, toFile: `b/${change.file}` }));
    } else {
      await writeFileAtomic(path.resolve(root, change.file), change.after);
      say(`wrote ${change.file}`);
    }
  }
  for (const step of fixes.steps) say(describeStep(step));
  const hashed = fixes.steps.filter((step) => step.kind === 'pin' && step.hashed);
  for (const step of hashed) {
    if (step.kind === 'pin') io.log(`warning: ${step.file}:${step.line}: ${step.remediation.package.name} has --hash options for the old version; regenerate them (pip-compile --generate-hashes)`);
  }
  const count = (kind: FixStep['kind']): number => fixes.steps.filter((step) => step.kind === kind).length;
  const verb = dryRun ? 'would change' : 'changed';
  say(
    `${fixes.steps.length} vulnerable packages: ${count('pin')} pins, ${count('constraint')} constraints, ${count('override')} overrides, ` +
      `${count('parent-bump')} parent bumps, ${count('command')} commands to run, ` +
      `${count('not-applied')} not applied, ${count('held')} held or without fix; ${verb} ${fixes.changes.length} files` +
      (hashed.length > 0 ? `; ${hashed.length} requirements with --hash options need new hashes` : ''),
  );
  if (dryRun) io.log('vigil: --dry-run: no file was changed');
  const complete = fixes.steps.every((step) => step.kind !== 'not-applied' && step.kind !== 'held');
  return complete ? EXIT.ok : EXIT.gateFailed;
}
