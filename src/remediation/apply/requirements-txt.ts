import { normalizePypiName } from '../../ecosystems/pypi/ecosystem.js';

/** One pin to move: the requirement starting at `line` names `name` pinned to `from`. */
export interface PinUpdate {
  /** 1-based line where the requirement (its logical line) starts, as the parser located it. */
  readonly line: number;
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

/** A pin that was rewritten. */
export interface PinChange extends PinUpdate {
  /**
   * The requirement carries `--hash` options: they pin the old files' digests, so pip refuses the
   * new version until they are regenerated (`pip-compile --generate-hashes`).
   */
  readonly hashed: boolean;
}

/** A pin that could not be rewritten, and why. */
export interface PinProblem {
  readonly line: number;
  readonly name: string;
  readonly message: string;
}

export interface RequirementsRewrite {
  /** The new text; byte-identical to the input outside the rewritten version strings. */
  readonly text: string;
  readonly changes: readonly PinChange[];
  readonly problems: readonly PinProblem[];
}

interface PhysicalLine {
  /** The line without its terminator. */
  content: string;
  /** `\n`, `\r\n` or '' (last line without one). */
  readonly eol: string;
}

function splitPhysical(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  const pattern = /([^\n]*?)(\r?\n|$)/gy;
  for (let match = pattern.exec(text); match !== null && pattern.lastIndex <= text.length; match = pattern.exec(text)) {
    lines.push({ content: match[1] ?? '', eol: match[2] ?? '' });
    if ((match[2] ?? '') === '') break;
  }
  return lines;
}

/**
 * Start lines of the logical lines, with the physical lines (0-based) each spans. Continuations
 * join as pip joins them (`req_file.join_lines`): a line ending in `\` continues unless it is a
 * comment line.
 */
function groupLogical(lines: readonly PhysicalLine[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  let pending: number[] | undefined;
  lines.forEach((line, index) => {
    const isComment = /^\s*#/.test(line.content);
    if (pending) pending.push(index);
    else pending = [index];
    if (!line.content.endsWith('\\') || isComment) {
      groups.set((pending[0] ?? index) + 1, pending);
      pending = undefined;
    }
  });
  if (pending) groups.set((pending[0] ?? 0) + 1, pending);
  return groups;
}

// pip's COMMENT_RE: `#` at the start or after whitespace opens a comment.
const COMMENT = /(^|\s)#/;
const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;
// `==` or `===` and the version after it (PEP 508: spaces allowed around the operator).
const PIN = /(===?)(\s*)([^\s;,\\#]+)/;

/**
 * Rewrites `==` pins of a requirements file: the requirement starting at each update's line must
 * name the package (compared PEP 503-normalised) pinned to `from`; its version becomes `to`.
 * Comments, markers, extras, continuation lines, options, order and line endings stay byte for
 * byte. A requirement with `--hash` options is rewritten and flagged. Anything unexpected (no
 * requirement at the line, another name or version, a wildcard pin) is a problem, not a guess.
 */
export function rewriteRequirementsPins(text: string, updates: readonly PinUpdate[]): RequirementsRewrite {
  const lines = splitPhysical(text);
  const groups = groupLogical(lines);
  const changes: PinChange[] = [];
  const problems: PinProblem[] = [];
  for (const update of updates) {
    const problem = (message: string): void => {
      problems.push({ line: update.line, name: update.name, message });
    };
    const group = groups.get(update.line);
    const first = group === undefined ? undefined : lines[group[0] ?? -1];
    if (!group || !first) {
      problem(`no requirement starts at line ${update.line}`);
      continue;
    }
    const name = NAME.exec(first.content)?.[1];
    if (name === undefined || normalizePypiName(name) !== normalizePypiName(update.name)) {
      problem(`line ${update.line} does not name ${update.name}${name === undefined ? '' : ` (found ${name})`}`);
      continue;
    }
    // The pin is in the requirement part: before a comment and before the first option (`--hash`).
    let found: { index: number; start: number; version: string } | undefined;
    let hashed = false;
    for (const index of group) {
      const content = lines[index]?.content ?? '';
      const comment = COMMENT.exec(content);
      const code = comment ? content.slice(0, comment.index) : content;
      if (/(^|\s)--hash\b/.test(code)) hashed = true;
      if (found || hashed) continue;
      const option = /(^|\s)-/.exec(code);
      const requirementPart = option ? code.slice(0, option.index) : code;
      const pin = PIN.exec(requirementPart);
      if (pin) found = { index, start: pin.index + (pin[1] ?? '').length + (pin[2] ?? '').length, version: pin[3] ?? '' };
    }
    if (!found) {
      problem(`${update.name} at line ${update.line} is not pinned with == or ===`);
      continue;
    }
    if (found.version !== update.from) {
      problem(`${update.name} at line ${update.line} is pinned to ${found.version}, not ${update.from}`);
      continue;
    }
    const line = lines[found.index];
    if (!line) continue;
    line.content = `${line.content.slice(0, found.start)}${update.to}${line.content.slice(found.start + found.version.length)}`;
    changes.push({ ...update, hashed });
  }
  return { text: lines.map((line) => `${line.content}${line.eol}`).join(''), changes, problems };
}
