import { parentBumpsToApply } from './parent-bump.js';
import type { Remediation, RemediationPlan } from './plan.js';

/** Version of the `vigil plan --format json` document (docs/json-schema.md). */
export const PLAN_SCHEMA_VERSION = '1.2.0';

/** Formats `vigil plan` renders. */
export const PLAN_FORMATS = ['table', 'json', 'markdown'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export function isPlanFormat(value: string): value is PlanFormat {
  return (PLAN_FORMATS as readonly string[]).includes(value);
}

/** Where candidate target versions came from for this run. */
export type PlanVersionSource =
  /** The npm registry was asked for npm packages; other ecosystems use the advisories. */
  | { readonly kind: 'registry'; readonly url: string }
  /** No registry (`--no-registry` or `--offline`): every target is an advisory's fixed version. */
  | { readonly kind: 'advisories'; readonly reason: 'offline' | 'no-registry' };

/** Everything a plan renderer shows. */
export interface PlanDocument {
  readonly plan: RemediationPlan;
  readonly versionSource: PlanVersionSource;
  readonly toolVersion: string;
  /** When the plan was made (ISO 8601). */
  readonly generatedAt: string;
}

/** The exit status `vigil plan` and `vigil fix` derive from a plan: every fix allowed, or not. */
export function isPlanComplete(plan: RemediationPlan): boolean {
  return plan.remediations.every((remediation) => remediation.decision.kind === 'allowed');
}

/** One line saying where the targets come from. */
export function describeVersionSource(source: PlanVersionSource): string {
  if (source.kind === 'registry') {
    return `targets: npm versions published on ${source.url}; other ecosystems from the advisories' fixed versions`;
  }
  const why = source.reason === 'offline' ? '--offline' : '--no-registry';
  return `targets come from the advisories' fixed versions (${why}: no registry consulted)`;
}

function ruleOrAlternative(remediation: Remediation): string {
  const { decision } = remediation;
  if (decision.kind === 'allowed') return decision.rule.text;
  if (decision.kind === 'remove') return `${decision.reason}: ${decision.alternative.text}`;
  return `${decision.reason}; instead: ${decision.alternative.text}`;
}

function dependencyLabel(remediation: Remediation): string {
  return remediation.dependency;
}

function targetLabel(remediation: Remediation): string {
  if (remediation.decision.kind === 'remove') return 'REMOVE (malicious)';
  return remediation.fix.target ?? '-';
}

function upgradeLabel(remediation: Remediation): string {
  return remediation.fix.upgrade;
}

function row(remediation: Remediation): string[] {
  return [
    remediation.package.name,
    remediation.package.version,
    dependencyLabel(remediation),
    targetLabel(remediation),
    upgradeLabel(remediation),
    remediation.decision.kind,
    ruleOrAlternative(remediation),
    remediation.ids.join(' '),
  ];
}

const HEADER = ['PACKAGE', 'VERSION', 'KIND', 'TARGET', 'UPGRADE', 'DECISION', 'RULE / ALTERNATIVE', 'IDS'];

function groupByFile(plan: RemediationPlan): Map<string, Remediation[]> {
  const byFile = new Map<string, Remediation[]>();
  for (const remediation of plan.remediations) {
    const list = byFile.get(remediation.package.location.file) ?? [];
    list.push(remediation);
    byFile.set(remediation.package.location.file, list);
  }
  return byFile;
}

function counts(plan: RemediationPlan): string {
  const count = (kind: string): number => plan.remediations.filter((remediation) => remediation.decision.kind === kind).length;
  const remove = count('remove');
  return `${plan.remediations.length} vulnerable packages: ${remove > 0 ? `${remove} malicious to remove, ` : ''}${count('allowed')} allowed, ${count('held')} held, ${count('no-fix')} no fix`;
}

function notes(remediation: Remediation): string[] {
  const lines: string[] = [];
  if (remediation.proposed !== undefined && remediation.decision.kind !== 'allowed') lines.push(`proposed now: ${remediation.proposed}`);
  const { parentBumps } = remediation;
  if (parentBumps?.evaluated === false) lines.push(`parent bumps: not evaluated (${parentBumps.reason})`);
  for (const plan of parentBumps?.evaluated === true ? parentBumps.paths : []) lines.push(`parent bump, path ${plan.path.join(' > ')}: ${plan.text}`);
  if (remediation.override) {
    // With an allowed bump on every path the override is the fallback, not the fix.
    const fallback = parentBumpsToApply(parentBumps) === undefined ? '' : 'fallback: ';
    lines.push(`${fallback}${remediation.override.file}: ${remediation.override.text}`);
  }
  for (const note of remediation.endOfSupport) lines.push(`end of support: ${note.message}`);
  if (remediation.decision.kind !== 'allowed') {
    for (const template of remediation.decision.alternative.exceptionTemplates) {
      lines.push(`exception template (vigil.yaml, under exceptions:):`, ...template.lines);
    }
  }
  return lines;
}

/** A plain-text table per dependency file, the rule or alternative per package, then notes. */
export function renderPlanTable(document: PlanDocument): string {
  const { plan } = document;
  const out: string[] = [describeVersionSource(document.versionSource)];
  if (plan.remediations.length === 0) {
    out.push('nothing to do: no vulnerable package');
    return `${out.join('\n')}\n`;
  }
  for (const [file, remediations] of groupByFile(plan)) {
    const rows = [HEADER, ...remediations.map(row)];
    const widths = HEADER.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
    out.push('', file);
    for (const cells of rows) {
      out.push(cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
    }
    for (const remediation of remediations) {
      const extra = notes(remediation);
      if (extra.length === 0) continue;
      out.push('', `${remediation.package.name} ${remediation.package.version}:`, ...extra.map((line) => `  ${line}`));
    }
  }
  out.push('', counts(plan));
  return `${out.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown section (pull-request comment): one table per file, notes as lists. */
export function renderPlanMarkdown(document: PlanDocument): string {
  const { plan } = document;
  const out: string[] = ['## vigil remediation plan', '', `_${describeVersionSource(document.versionSource)}_`, ''];
  if (plan.remediations.length === 0) {
    out.push('Nothing to do: no vulnerable package.');
    return `${out.join('\n')}\n`;
  }
  out.push(`${counts(plan)}.`);
  for (const [file, remediations] of groupByFile(plan)) {
    out.push('', `### \`${file}\``, '');
    out.push(`| ${['Package', 'Version', 'Kind', 'Target', 'Upgrade', 'Decision', 'Rule / alternative', 'Ids'].join(' | ')} |`);
    out.push(`|${' --- |'.repeat(8)}`);
    for (const remediation of remediations) out.push(`| ${row(remediation).map(escapeCell).join(' | ')} |`);
    for (const remediation of remediations) {
      const extra = notes(remediation);
      if (extra.length === 0) continue;
      out.push('', `**${remediation.package.name} ${remediation.package.version}**`, '');
      let inTemplate = false;
      for (const line of extra) {
        if (line.startsWith('exception template')) {
          if (inTemplate) out.push('```');
          out.push(`- ${line}`, '', '```yaml');
          inTemplate = true;
        } else if (inTemplate) out.push(line);
        else out.push(`- ${line}`);
      }
      if (inTemplate) out.push('```');
    }
  }
  return `${out.join('\n')}\n`;
}

/** The `vigil plan --format json` document (docs/json-schema.md, "vigil plan --format json"). */
export function buildPlanJson(document: PlanDocument): unknown {
  const { plan } = document;
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    tool: { name: 'vigil', version: document.toolVersion },
    generatedAt: document.generatedAt,
    versionSource: document.versionSource,
    complete: isPlanComplete(plan),
    remediations: plan.remediations.map((remediation) => {
      const { decision } = remediation;
      const base = { kind: decision.kind, rule: { ...decision.rule } };
      return {
        package: {
          ecosystem: remediation.package.ecosystem,
          name: remediation.package.name,
          version: remediation.package.version,
          purl: remediation.package.purl,
          direct: remediation.package.direct,
          location: remediation.package.location,
        },
        dependency: remediation.dependency,
        ids: remediation.ids,
        fix: {
          target: remediation.fix.target ?? null,
          basis: remediation.fix.basis,
          upgrade: remediation.fix.upgrade,
          alsoConsidered: remediation.fix.alsoConsidered,
        },
        decision:
          decision.kind === 'allowed'
            ? base
            : {
                ...base,
                reason: decision.reason,
                alternative: {
                  text: decision.alternative.text,
                  upgradeWithin: decision.alternative.upgradeWithin ?? null,
                  exceptionTemplates: decision.alternative.exceptionTemplates,
                },
              },
        proposed: remediation.proposed ?? null,
        endOfSupport: remediation.endOfSupport,
        paths: remediation.paths,
        override: remediation.override ?? null,
        parentBumps: remediation.parentBumps ?? null,
      };
    }),
  };
}

export function renderPlanJson(document: PlanDocument): string {
  return `${JSON.stringify(buildPlanJson(document), null, 2)}\n`;
}

/** Renderers by format. */
export const planRenderers = {
  table: renderPlanTable,
  json: renderPlanJson,
  markdown: renderPlanMarkdown,
} as const satisfies Record<PlanFormat, (document: PlanDocument) => string>;
