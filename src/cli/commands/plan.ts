import { openAdvisoryStore } from '../../advisories/store/sqlite-store.js';
import { audit, type AuditResult } from '../../audit.js';
import { systemClock } from '../../core/clock.js';
import { checkOutputFolder, writeFileAtomic } from '../../core/atomic-write.js';
import { UsageError } from '../../core/errors.js';
import { visibleLines } from '../../core/visible-text.js';
import { loadPolicy } from '../../policy/load-policy.js';
import type { Policy } from '../../policy/types.js';
import { createNpmRegistry, DEFAULT_NPM_REGISTRY } from '../../remediation/npm-registry.js';
import { planRemediation, type RemediationPlan } from '../../remediation/plan.js';
import {
  describeVersionSource,
  isPlanComplete,
  isPlanFormat,
  PLAN_FORMATS,
  planRenderers,
  type PlanVersionSource,
} from '../../remediation/render-plan.js';
import { auditProgress, logAuditInputs, maxDbAgeOf, storeOpener } from '../audit-session.js';
import { parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { toolVersion } from '../version.js';

/** Exit codes of `plan` and `fix`, for their help texts. */
export const PLAN_EXIT_CODES_HELP = `Exit codes:
  0  every vulnerable package has a fix the maintenance policy allows, or nothing is vulnerable
  1  some fix is held by the maintenance policy, or no fixed version exists
  2  usage, configuration or input error (bad flag, unparseable lockfile)
  3  advisory data unavailable (store missing, older than --max-db-age, download failed)
  4  nothing to audit (no dependency file found)`;

/** Options shared by `plan` and `fix`: how to audit, and where versions come from. */
export const PLAN_OPTIONS_HELP = `  --db PATH            advisory store (default: $VIGIL_DB, else the user cache folder)
  --max-db-age AGE     fail when the advisory data is older than AGE (default 7d; m, h, d, w)
  --offline            never use the network: no download, no registry; targets come from the
                       advisories' fixed versions
  --mirror URL         OSV mirror for the first download (default: $VIGIL_OSV_MIRROR, else OSV's bucket)
  --policy FILE        policy file (default: vigil.yaml in the current folder, if any); its
                       maintenance section decides which upgrades are allowed
  --registry URL       npm registry for published versions (default: $VIGIL_NPM_REGISTRY, else
                       ${DEFAULT_NPM_REGISTRY})
  --no-registry        do not ask the registry: targets come from the advisories' fixed versions
  -q, --quiet          no log lines on stderr but errors
  -h, --help           show this help`;

export const PLAN_HELP = `Usage: vigil plan [PATH...] [options]

Audits PATH (default: the current folder) like "vigil audit", then plans the remediation of each
vulnerable package: the smallest version that clears every advisory of the store, its upgrade
class (patch, minor, major), and whether the maintenance policy of vigil.yaml allows it in the
release being prepared (allowed), holds it (held: with the rule, the highest allowed version that
still fixes, and exception templates), or no fixed version exists (no-fix).

Options:
  --format FORMAT      table (default), json (schema: docs/json-schema.md), markdown
  -o, --output FILE    write the plan to FILE instead of stdout
${PLAN_OPTIONS_HELP}

"vigil fix" applies the allowed part of the plan.

${PLAN_EXIT_CODES_HELP}
`;

/** The option table `plan` and `fix` share. */
export const PLAN_ARG_OPTIONS = {
  db: { type: 'string' },
  'max-db-age': { type: 'string' },
  offline: { type: 'boolean', default: false },
  mirror: { type: 'string' },
  policy: { type: 'string' },
  registry: { type: 'string' },
  'no-registry': { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The shared options once parsed. */
export interface PlanRunOptions {
  readonly command: string;
  readonly paths: readonly string[];
  readonly db: string | undefined;
  readonly maxDbAge: string | undefined;
  readonly offline: boolean;
  readonly mirror: string | undefined;
  readonly policy: string | undefined;
  readonly registry: string | undefined;
  readonly noRegistry: boolean;
  readonly quiet: boolean;
  /** Whether a person may watch a progress line (false when stdout carries machine output). */
  readonly progress?: boolean;
}

/** What `plan` and `fix` work from. */
export interface PlannedAudit {
  readonly result: AuditResult;
  readonly policy: Policy;
  readonly plan: RemediationPlan;
  readonly versionSource: PlanVersionSource;
}

/** Audits like `vigil audit` (same store, freshness and policy rules), then plans. */
export async function auditAndPlan(options: PlanRunOptions, io: CliIo): Promise<PlannedAudit> {
  const log = (line: string): void => {
    if (!options.quiet) io.log(line);
  };
  const policy = await loadPolicy({ root: process.cwd(), ...(options.policy === undefined ? {} : { policyFile: options.policy }) });
  const maxDbAgeMs = maxDbAgeOf(options.command, options.maxDbAge, policy);
  const registryUrl = options.registry ?? io.env['VIGIL_NPM_REGISTRY'] ?? DEFAULT_NPM_REGISTRY;
  if (options.registry !== undefined && !/^https?:\/\//i.test(options.registry)) {
    throw new UsageError(`${options.command}: invalid --registry "${options.registry}" (expected an http or https URL)`);
  }
  const clock = systemClock;
  const progress = auditProgress(io, !options.quiet && options.progress !== false);
  let result: AuditResult;
  try {
    result = await audit({
      paths: options.paths.length > 0 ? options.paths : ['.'],
      clock,
      maxDbAgeMs,
      openStore: storeOpener({ db: options.db, offline: options.offline, mirror: options.mirror, quiet: options.quiet }, io, clock, log),
      onProgress: progress.onProgress,
    });
  } finally {
    progress.done();
  }
  logAuditInputs(result, log);

  const versionSource: PlanVersionSource =
    options.offline || options.noRegistry
      ? { kind: 'advisories', reason: options.offline ? 'offline' : 'no-registry' }
      : { kind: 'registry', url: registryUrl };
  const registry =
    versionSource.kind === 'registry'
      ? createNpmRegistry({
          registry: registryUrl,
          onProblem: (problem) => {
            log(`warning: registry: ${problem.name}: ${problem.message} (${problem.url}); its target comes from the advisories`);
          },
        })
      : undefined;
  // `audit` closed its store: the planner reads every advisory of each vulnerable package again.
  const store = openAdvisoryStore(result.database.path);
  try {
    const plan = await planRemediation({
      findings: result.findings,
      store,
      policy,
      clock,
      ...(registry === undefined ? {} : { versions: registry, npmMetadata: registry }),
    });
    log(describeVersionSource(versionSource));
    return { result, policy, plan, versionSource };
  } finally {
    store.close();
  }
}

/** Reads the shared options from parsed values. */
export function readPlanRunOptions(
  command: string,
  values: {
    db?: string | undefined;
    'max-db-age'?: string | undefined;
    offline?: boolean | undefined;
    mirror?: string | undefined;
    policy?: string | undefined;
    registry?: string | undefined;
    'no-registry'?: boolean | undefined;
    quiet?: boolean | undefined;
  },
  positionals: readonly string[],
): PlanRunOptions {
  if (values.registry !== undefined && (values['no-registry'] === true || values.offline === true)) {
    throw new UsageError(`${command}: --registry cannot be combined with ${values.offline === true ? '--offline' : '--no-registry'}`);
  }
  return {
    command,
    paths: positionals,
    db: values.db,
    maxDbAge: values['max-db-age'],
    offline: values.offline === true,
    mirror: values.mirror,
    policy: values.policy,
    registry: values.registry,
    noRegistry: values['no-registry'] === true,
    quiet: values.quiet === true,
  };
}

export async function runPlan(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('plan', args, {
    ...PLAN_ARG_OPTIONS,
    format: { type: 'string', default: 'table' },
    output: { type: 'string', short: 'o' },
  });
  if (values.help) {
    io.stdout.write(PLAN_HELP);
    return EXIT.ok;
  }
  const format = values.format;
  if (!isPlanFormat(format)) {
    throw new UsageError(`plan: unknown format "${format}" (expected ${PLAN_FORMATS.join(', ')})`, { hint: 'see "vigil plan --help"' });
  }
  if (values.output !== undefined) checkOutputFolder(values.output);
  const planned = await auditAndPlan({ ...readPlanRunOptions('plan', values, positionals), progress: values.output !== undefined || format === 'table' }, io);
  const output = planRenderers[format]({
    plan: planned.plan,
    versionSource: planned.versionSource,
    toolVersion: toolVersion(),
    generatedAt: planned.result.auditedAt.toISOString(),
  });
  // The text plan reaches a terminal or a CI log: names and versions from the lockfile are shown
  // visibly, never as control sequences. Machine formats escape by their own rules.
  if (values.output === undefined) io.stdout.write(format === 'table' ? visibleLines(output) : output);
  else await writeFileAtomic(values.output, output);
  const { remediations } = planned.plan;
  const held = remediations.filter((remediation) => remediation.decision.kind !== 'allowed').length;
  io.log(
    held === 0
      ? `vigil: plan complete: ${remediations.length} vulnerable packages, every fix allowed`
      : `vigil: plan incomplete: ${held} of ${remediations.length} vulnerable packages have a held fix or none`,
  );
  return isPlanComplete(planned.plan) ? EXIT.ok : EXIT.gateFailed;
}
