import { PackageURL } from 'packageurl-js';
import { z } from 'zod';
import { ConfigError, lineColumnAt } from '../../core/errors.js';
import { MAX_DEPENDENCY_FILE_BYTES, tooDeepMessage, tooLargeMessage } from '../../core/input-limits.js';
import { findDeepJsonNesting } from '../../core/json-scan.js';
import { readFileWithin } from '../../core/read-bounded.js';
import { VEX_STATUSES, type VexStatement, type VexStatus } from '../../policy/types.js';

/**
 * OpenVEX 0.2 (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md): the fields the gate
 * uses. Unknown keys are allowed: the format carries many (author, timestamps, impact statements).
 */
const OpenVexDocument = z.object({
  '@context': z.string().startsWith('https://openvex.dev/ns'),
  statements: z.array(
    z.object({
      vulnerability: z.object({ name: z.string().min(1), aliases: z.array(z.string()).optional() }),
      products: z.array(z.object({ '@id': z.string().min(1) })).optional(),
      status: z.enum(VEX_STATUSES),
      justification: z.string().optional(),
    }),
  ),
});
type OpenVexDocument = z.infer<typeof OpenVexDocument>;

/** CycloneDX VEX (https://cyclonedx.org/capabilities/vex/): vulnerabilities with analysis and affects. */
const CycloneDxVexDocument = z.object({
  bomFormat: z.literal('CycloneDX'),
  components: z.array(z.object({ 'bom-ref': z.string().optional(), purl: z.string().optional() })).optional(),
  vulnerabilities: z.array(
    z.object({
      id: z.string().min(1),
      analysis: z
        .object({
          state: z.enum(['resolved', 'resolved_with_pedigree', 'exploitable', 'in_triage', 'false_positive', 'not_affected']),
          justification: z.string().optional(),
        })
        .optional(),
      affects: z.array(z.object({ ref: z.string().min(1) })).optional(),
    }),
  ),
});
type CycloneDxVexDocument = z.infer<typeof CycloneDxVexDocument>;

/** CycloneDX analysis states as VEX statuses (`false_positive`: the flaw does not apply at all). */
const CYCLONEDX_STATUS: Readonly<Record<NonNullable<CycloneDxVexDocument['vulnerabilities'][number]['analysis']>['state'], VexStatus>> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
};

/**
 * Reads VEX files (`--vex`, CycloneDX or OpenVEX JSON) into statements, one per vulnerability and
 * product. A file that is not valid JSON, is neither format, or names a product by an invalid
 * purl is a ConfigError at its file and line: a VEX file read only in part would suppress less,
 * or more, than its author meant.
 */
export async function readVexFiles(files: readonly string[]): Promise<VexStatement[]> {
  const statements: VexStatement[] = [];
  for (const file of files) {
    let bytes: Buffer | undefined;
    try {
      // A VEX document lists statements about the packages of an SBOM: it may be as large as one.
      bytes = await readFileWithin(file, MAX_DEPENDENCY_FILE_BYTES);
    } catch (cause) {
      throw new ConfigError(`${file}: cannot read VEX file: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
    }
    if (bytes === undefined) throw new ConfigError(`the VEX file is ${tooLargeMessage(MAX_DEPENDENCY_FILE_BYTES, 'a VEX document')}`, { location: { file } });
    statements.push(...parseVex(bytes.toString('utf8'), file));
  }
  return statements;
}

/** Parses one VEX document (CycloneDX when it has `bomFormat`, else OpenVEX). */
export function parseVex(text: string, file: string): VexStatement[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    const line = jsonErrorLine(text, cause);
    throw new ConfigError(`invalid JSON in VEX file: ${cause instanceof Error ? cause.message : String(cause)}`, {
      location: { file, line },
      cause,
    });
  }
  // JSON.parse takes any depth; validating the document recurses.
  const deep = findDeepJsonNesting(text);
  if (deep !== undefined) throw new ConfigError(`arrays and objects ${tooDeepMessage()}`, { location: { file, ...lineColumnAt(text, deep) } });
  if (typeof data === 'object' && data !== null && 'bomFormat' in data) return fromCycloneDx(validate(CycloneDxVexDocument, data, text, file), text, file);
  if (typeof data === 'object' && data !== null && 'statements' in data) return fromOpenVex(validate(OpenVexDocument, data, text, file), text, file);
  throw new ConfigError(`not a VEX document (expected CycloneDX "bomFormat" with "vulnerabilities", or OpenVEX "statements")`, {
    location: { file, line: 1 },
  });
}

function fromOpenVex(document: OpenVexDocument, text: string, file: string): VexStatement[] {
  const lines = new LineFinder(text);
  return document.statements.flatMap((statement, index) => {
    const line = lines.find(statement.vulnerability.name);
    const common = {
      id: statement.vulnerability.name,
      status: statement.status,
      ...(statement.justification === undefined ? {} : { justification: statement.justification }),
      location: { file, line },
    };
    const purls = (statement.products ?? []).map((product) => product['@id']);
    if (purls.length === 0) return [common];
    return purls.map((purl) => ({ ...common, purl: checkPurl(purl, file, lines.find(purl), `statements[${index}]`) }));
  });
}

function fromCycloneDx(document: CycloneDxVexDocument, text: string, file: string): VexStatement[] {
  const lines = new LineFinder(text);
  // affects[].ref names a component's bom-ref, which is its purl in most VEX documents (and ours).
  const purlOf = new Map((document.components ?? []).flatMap((component) => (component['bom-ref'] && component.purl ? [[component['bom-ref'], component.purl] as const] : [])));
  return document.vulnerabilities.flatMap((vulnerability, index) => {
    // A vulnerability without analysis states nothing about the product.
    if (vulnerability.analysis === undefined) return [];
    const line = lines.find(vulnerability.id);
    const { state, justification } = vulnerability.analysis;
    const common = {
      id: vulnerability.id,
      status: CYCLONEDX_STATUS[state],
      ...(justification === undefined ? (state === 'false_positive' ? { justification: 'false_positive' } : {}) : { justification }),
      location: { file, line },
    };
    const refs = (vulnerability.affects ?? []).map((affect) => affect.ref);
    if (refs.length === 0) return [common];
    return refs.map((ref) => {
      const purl = purlOf.get(ref) ?? ref;
      return { ...common, purl: checkPurl(purl, file, lines.find(ref), `vulnerabilities[${index}].affects`) };
    });
  });
}

function checkPurl(purl: string, file: string, line: number, where: string): string {
  try {
    PackageURL.fromString(purl);
  } catch (cause) {
    throw new ConfigError(`${where}: "${purl}" is not a package URL (purl)`, {
      location: { file, line },
      hint: 'name products by purl, e.g. pkg:npm/lodash@4.17.20',
      cause,
    });
  }
  return purl;
}

function validate<T>(schema: z.ZodType<T>, data: unknown, text: string, file: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const line = lineOfPath(text, path);
  throw new ConfigError(`invalid VEX document at ${path.length === 0 ? 'top level' : path.join('.')}: ${issue?.message ?? 'invalid'}`, {
    location: { file, line },
    cause: parsed.error,
  });
}

/**
 * The line of a path's value, found by looking for its keys in order (JSON.parse keeps no
 * positions); array indexes are not counted, so in a long list it can point at an earlier entry
 * with the same key. Good enough for an editor to jump near the problem.
 */
function lineOfPath(text: string, path: readonly PropertyKey[]): number {
  let at = -1;
  for (const key of path) {
    if (typeof key !== 'string') continue;
    const next = text.indexOf(JSON.stringify(key), Math.max(0, at));
    if (next >= 0) at = next;
  }
  return at < 0 ? 1 : lineAt(text, at);
}

/** Lines of successive occurrences of quoted strings, in document order. */
class LineFinder {
  private from = 0;
  constructor(private readonly text: string) {}
  /** The line of the next occurrence of `"value"` (else of its first one; else 1). */
  find(value: string): number {
    const quoted = JSON.stringify(value);
    let at = this.text.indexOf(quoted, this.from);
    if (at < 0) at = this.text.indexOf(quoted);
    if (at < 0) return 1;
    this.from = at + quoted.length;
    return lineAt(this.text, at);
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++) if (text.charCodeAt(index) === 10) line++;
  return line;
}

/** V8 reports the offset (`... in JSON at position 42`) or the line (`(line 3 column 5)`). */
function jsonErrorLine(text: string, cause: unknown): number {
  const message = cause instanceof Error ? cause.message : '';
  const lineMatch = /line (\d+) column \d+/.exec(message);
  if (lineMatch?.[1]) return Number(lineMatch[1]);
  const position = /at position (\d+)/.exec(message);
  if (position?.[1]) return lineAt(text, Number(position[1]));
  return 1;
}
