import path from 'node:path';
import { audit, type AuditResult } from '../../audit.js';
import type { TypedFile } from '../../inventory/build-inventory.js';
import { AUDIT_TARGETS, isAuditTarget } from '../../inventory/targets/detect.js';
import { systemClock } from '../../core/clock.js';
import { checkOutputFolder, writeFileAtomic } from '../../core/atomic-write.js';
import { UsageError } from '../../core/errors.js';
import { evaluateAuditGate } from '../../policy/unevaluable.js';
import { loadPolicy } from '../../policy/load-policy.js';
import { POLICY_LEVELS, type PolicyLevel } from '../../policy/types.js';
import { logGate } from '../gate-log.js';
import { auditProgress, logAuditInputs, logPoliciesNotInForce, maxDbAgeOf, storeOpener } from '../audit-session.js';
import { buildReport, type Report } from '../../report/report.js';
import { isReportFormat, reporters, type ReportFormat } from '../../report/registry.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import { useColor, type CliIo } from '../io.js';
import { toolVersion } from '../version.js';

export const AUDIT_HELP = `Usage: vigil audit [PATH...] [options]

Reads every dependency file below PATH (default: the current folder), matches each locked package
against the local advisory store, and fails when a finding blocks.

Dependency files: requirements*.txt, poetry.lock, Pipfile.lock, uv.lock, pdm.lock, pylock.toml,
package-lock.json, npm-shrinkwrap.json, yarn.lock (v1 and Berry), pnpm-lock.yaml, CycloneDX JSON
and SPDX JSON SBOMs. node_modules, .git and virtual environments are not searched.

PATH may also be what is installed, told from its content (or named with --target): a container
image (a docker save or OCI archive, or an OCI image layout folder; read without a daemon), a root
file system (a folder with etc/os-release or usr/lib/os-release), a Python environment (a
virtualenv or a site-packages folder: *.dist-info/METADATA, *.egg-info) or a node_modules tree
(every package.json, nested ones included).

Options:
  -f, --format FORMAT  table (default), json (schema: docs/json-schema.md), sarif (SARIF 2.1.0 for
                       code scanning), markdown (pull-request comment), junit (JUnit XML for CI
                       dashboards), github (GitHub Actions annotations), cyclonedx (CycloneDX 1.6
                       BOM with VEX), html (one self-contained page); repeatable
  -o, --output FILE    write the report to FILE instead of stdout; repeatable: the Nth -o is the
                       output of the Nth --format, and at most one format (the last) goes to stdout,
                       e.g. --format sarif -o vigil.sarif --format github
  --db PATH            advisory store (default: $VIGIL_DB, else the user cache folder)
  --max-db-age AGE     fail when the advisory data is older than AGE (default 7d; m, h, d, w)
  --offline            never download; fail if the store is missing
  --mirror URL         OSV mirror for the first download (default: $VIGIL_OSV_MIRROR, else OSV's bucket)
  --policy FILE        policy file (default: vigil.yaml in the current folder, if any)
  --allowlist FILE     also read exceptions from an allowlist JSON file {"entries": [...]}
  --vex FILE           VEX statements (CycloneDX or OpenVEX JSON); a not_affected statement for a
                       finding's advisory (and product purl, when it names one) keeps it from
                       blocking; repeatable
  --fail-on LEVEL      lowest severity that blocks, overriding the policy (low, medium, high, critical)
  -r, --requirement FILE
                       read FILE as a pip requirements file whatever its name; repeatable
  -L, --lockfile FORMAT:FILE
                       read FILE as FORMAT (requirements.txt, poetry.lock, Pipfile.lock, uv.lock,
                       pdm.lock, pylock.toml, package-lock.json, yarn.lock, pnpm-lock.yaml,
                       cyclonedx-json, spdx-json) whatever its name; repeatable
  --exclude GLOB        do not search files or folders matching GLOB (relative to each folder
                       searched, e.g. 'test/fixtures/**'); adds to the policy's exclude; repeatable
  --target KIND        what PATH is: image, rootfs, python-env, node-modules or files (source
                       files only), instead of telling it from the content
  --strict             every skipped entry (also git, local and workspace ones) fails the gate
  -q, --quiet          on stderr only the gate's counts, errors and verdict (overdue and
                       unevaluable items as counts)
  -h, --help           show this help

When no store exists yet, the first audit downloads one (unless --offline).

${EXIT_CODES_HELP}
`;

export async function runAudit(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('audit', args, {
    format: { type: 'string', short: 'f', multiple: true, default: ['table'] },
    output: { type: 'string', short: 'o', multiple: true },
    db: { type: 'string' },
    'max-db-age': { type: 'string' },
    offline: { type: 'boolean', default: false },
    mirror: { type: 'string' },
    strict: { type: 'boolean', default: false },
    requirement: { type: 'string', short: 'r', multiple: true },
    exclude: { type: 'string', multiple: true },
    target: { type: 'string' },
    lockfile: { type: 'string', short: 'L', multiple: true },
    policy: { type: 'string' },
    allowlist: { type: 'string' },
    vex: { type: 'string', multiple: true },
    'fail-on': { type: 'string' },
    quiet: { type: 'boolean', short: 'q', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout.write(AUDIT_HELP);
    return EXIT.ok;
  }
  const outputs = planOutputs(values.format, values.output ?? []);
  // Read before any work, like the outputs: a broken VEX file stops the run at once.
  // The VEX reader (zod, packageurl-js: about 80 ms of start-up) is loaded only for --vex (#15).
  const vexFiles = values.vex ?? [];
  const vex = vexFiles.length === 0 ? [] : await (await import('../../report/vex/read-vex.js')).readVexFiles(vexFiles);
  const target = values.target;
  if (target !== undefined && !isAuditTarget(target)) {
    throw new UsageError(`audit: invalid --target "${target}" (expected ${AUDIT_TARGETS.join(', ')})`);
  }
  const failOn = values['fail-on'];
  if (failOn !== undefined && !(POLICY_LEVELS as readonly string[]).includes(failOn)) {
    throw new UsageError(`audit: invalid --fail-on "${failOn}" (expected ${POLICY_LEVELS.join(', ')})`);
  }
  // The policy is read from the folder vigil runs in (the project root) or from --policy: a
  // vigil.yaml inside an audited subfolder is never trusted.
  const loaded = await loadPolicy({
    root: process.cwd(),
    ...(values.policy === undefined ? {} : { policyFile: values.policy }),
    ...(values.allowlist === undefined ? {} : { allowlistFile: values.allowlist }),
  });
  const policy = failOn === undefined ? loaded : { ...loaded, failOn: failOn as PolicyLevel };
  const maxDbAgeMs = maxDbAgeOf('audit', values['max-db-age'], policy);
  const log = (line: string): void => {
    if (!values.quiet) io.log(line);
  };
  const clock = systemClock;

  const typedFiles = typedFilesOf(values.requirement ?? [], values.lockfile ?? []);
  // A person at a terminal sees progress; a machine reading stdout, CI and --quiet do not.
  const progress = auditProgress(io, !values.quiet && outputs.every(({ format, file }) => file !== undefined || format === 'table'));
  let result: AuditResult;
  try {
    result = await audit({
      paths: positionals.length > 0 || typedFiles.length > 0 ? positionals : ['.'],
      typedFiles,
      exclude: [...policy.exclude, ...(values.exclude ?? [])],
    ...(target === undefined ? {} : { target }),
      clock,
      maxDbAgeMs,
      openStore: storeOpener({ db: values.db, offline: values.offline, mirror: values.mirror, quiet: values.quiet }, io, clock, log),
      ...(progress.shown ? { onProgress: progress.onProgress } : {}),
    });
  } finally {
    progress.done();
  }

  logAuditInputs(result, log);
  logPoliciesNotInForce(result, policy.source, log);
  const gate = evaluateAuditGate(result, policy, clock, { vex, strict: values.strict });
  // The HTML report shows each vulnerable package's target and command: plan them (from the
  // advisories, as offline) only when it is asked for, so other audits do not pay for it.
  const remediation = outputs.some(({ format }) => FORMATS_WITH_PLAN.has(format))
    ? await (await import('../../report/report-remediation.js')).planReportRemediation({ findings: result.findings, storePath: result.database.path, policy, clock })
    : undefined;
  const report = buildReport(result, gate, policy, toolVersion(), remediation === undefined ? {} : { remediation });

  for (const { format, file } of outputs) {
    const render = await reporters[format].load();
    const output = render(report, { color: file === undefined && useColor(io) });
    if (file === undefined) io.stdout.write(output);
    else await writeFileAtomic(file, output);
  }

  logSkipped(report, log);
  // The gate's counts, errors and verdict are always logged: they are what a CI log must show.
  // Without --quiet also every applied exception, overdue and unevaluable item and warning.
  logGate(
    report,
    (line) => {
      io.log(line);
    },
    { quiet: values.quiet },
  );
  return gate.failed ? EXIT.gateFailed : EXIT.ok;
}

/** Formats that show the remediation plan (the report then carries it, in every format of the run). */
const FORMATS_WITH_PLAN: ReadonlySet<ReportFormat> = new Set(['html']);

/** One report to produce: a format, and the file it goes to (stdout when none). */
export interface PlannedOutput {
  readonly format: ReportFormat;
  readonly file: string | undefined;
}

/**
 * Pairs the repeated `--format` and `-o` in order: the Nth file is the Nth format's output; a
 * format without a file goes to stdout, and only one may. Checked before any work is done, so a
 * typo does not cost an audit.
 */
export function planOutputs(formats: readonly string[], files: readonly string[]): PlannedOutput[] {
  for (const format of formats) {
    if (!isReportFormat(format)) {
      throw new UsageError(`audit: unknown format "${format}" (expected ${Object.keys(reporters).join(', ')})`, { hint: 'see "vigil audit --help"' });
    }
  }
  const hint = 'pair each --format with the -o after it, e.g. --format sarif -o vigil.sarif --format json -o vigil.json';
  if (files.length > formats.length) {
    throw new UsageError(`audit: ${files.length} output files for ${formats.length} formats: each -o needs its own --format`, { hint });
  }
  if (formats.length - files.length > 1) {
    throw new UsageError(`audit: ${formats.length} formats but ${files.length} output files: only one format can go to stdout`, { hint });
  }
  const seen = new Set<string>();
  for (const file of files) {
    const key = path.resolve(file);
    if (seen.has(key)) throw new UsageError(`audit: two reports would be written to ${file}`, { hint });
    seen.add(key);
    // A report whose folder is missing is refused before the audit runs, not after.
    checkOutputFolder(file);
  }
  return formats.map((format, index) => ({ format: format as ReportFormat, file: files[index] }));
}

const MAX_SKIPPED_SHOWN = 20;

function logSkipped(report: Report, log: (line: string) => void): void {
  for (const entry of report.skipped.slice(0, MAX_SKIPPED_SHOWN)) {
    const where = `${entry.location.file}${entry.location.line !== undefined ? `:${entry.location.line}` : ''}`;
    const what = entry.name ? `${entry.name}${entry.version ? ` ${entry.version}` : ''}: ` : '';
    log(`skipped ${where}: ${what}${entry.reason}`);
  }
  if (report.skipped.length > MAX_SKIPPED_SHOWN) {
    log(`skipped: ${report.skipped.length - MAX_SKIPPED_SHOWN} more (see --format json)`);
  }
}

/** `-r FILE` and `-L FORMAT:FILE` as files of a named format; a malformed `-L` is a usage error. */
export function typedFilesOf(requirements: readonly string[], lockfiles: readonly string[]): TypedFile[] {
  const typed: TypedFile[] = requirements.map((file) => ({ format: 'requirements.txt', path: file }));
  for (const value of lockfiles) {
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1) {
      throw new UsageError(`audit: --lockfile "${value}" is not FORMAT:FILE`, { hint: 'e.g. --lockfile requirements.txt:reqs/base.txt or -L poetry.lock:locks/app.lock' });
    }
    typed.push({ format: value.slice(0, colon), path: value.slice(colon + 1) });
  }
  return typed;
}
