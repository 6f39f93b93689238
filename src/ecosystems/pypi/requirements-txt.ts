import path from 'node:path';
import { notAudited, type Directness, type Package, type SkippedEntry, type SkippedKind, type SourceLocation } from '../../core/types.js';
import { makePackage } from '../package.js';
import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';
import { normalizePypiName } from './ecosystem.js';
import { makeKeyAllocator } from './lock-support.js';
import { parseRequirement, readPin } from './requirement.js';

/** One line of a requirements file after joining continuations and splitting off the comment. */
export interface LogicalLine {
  /** 1-based line where the logical line starts. */
  readonly line: number;
  /** The content without its comment, trimmed. */
  readonly text: string;
  /** The comment without `#`, when there is one. */
  readonly comment: string | undefined;
}

// pip's COMMENT_RE: `#` at the start or after whitespace opens a comment.
const COMMENT = /(^|\s+)#(.*)$/;

/**
 * Joins backslash continuations and strips comments the way pip does (`req_file.join_lines` and
 * `ignore_comments`): only a line that starts with a comment ends a continuation, so a
 * continuation can swallow the line after a trailing `# ... \`.
 */
export function splitLogicalLines(text: string): LogicalLine[] {
  const joined: { line: number; text: string }[] = [];
  let pending: string[] | undefined;
  let primary = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const isComment = /^\s*#/.test(line);
    if (!line.endsWith('\\') || isComment) {
      const piece = isComment ? ` ${line}` : line;
      if (pending) {
        pending.push(piece);
        joined.push({ line: primary, text: pending.join('') });
        pending = undefined;
      } else {
        joined.push({ line: index + 1, text: piece });
      }
    } else {
      if (!pending) {
        pending = [];
        primary = index + 1;
      }
      // pip strips every backslash at either end of a continued line (`line.strip("\\")`).
      pending.push(line.replace(/^\\+|\\+$/g, ''));
    }
  });
  if (pending) joined.push({ line: primary, text: pending.join('') });
  return joined.map(({ line, text: content }) => {
    const match = COMMENT.exec(content);
    if (!match) return { line, text: content.trim(), comment: undefined };
    return { line, text: content.slice(0, match.index).trim(), comment: match[2] ?? '' };
  });
}

/** pip options that may stand on a line of their own and install nothing. */
const GLOBAL_OPTIONS = new Set([
  '-i', '--index-url', '--extra-index-url', '--no-index', '-f', '--find-links', '--no-binary', '--only-binary',
  '--prefer-binary', '--require-hashes', '--pre', '--trusted-host', '--use-feature', '-Z', '--always-unzip',
  '--process-dependency-links', '--allow-external', '--allow-unverified', '--allow-all-external', '--config-settings',
  '-C', '--global-option', '--install-option', '--hash', '--no-use-pep517', '--use-pep517',
]);

type Mode = 'requirements' | 'constraints';

interface Requirement {
  readonly location: SourceLocation;
  readonly name: string;
  /** The pinned version, or `undefined` when the line does not pin one. */
  readonly version: string | undefined;
  readonly specifier: string;
  via: Via | undefined;
}

interface Via {
  direct: boolean;
  /** Names of the packages that depend on this one. */
  readonly parents: string[];
}

interface ReadState {
  readonly context: ParseContext;
  readonly visited: Set<string>;
  readonly related: string[];
  readonly requirements: Requirement[];
  readonly constraints: Map<string, { version: string; location: SourceLocation }>;
  readonly skipped: SkippedEntry[];
}

/** Reads a requirements file and every file it includes with `-r` or `-c`. */
export async function parseRequirementsTxt(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  const state: ReadState = {
    context,
    visited: new Set([path.resolve(file.absolutePath)]),
    related: [],
    requirements: [],
    constraints: new Map(),
    skipped: [],
  };
  await readInto(state, file, path.basename(file.absolutePath), 'requirements');
  return buildResult(state);
}

async function readInto(state: ReadState, file: DependencyFile, fromRoot: string, mode: Mode): Promise<void> {
  let last: Requirement | undefined;
  let inViaList = false;
  for (const logical of splitLogicalLines(file.text)) {
    const location = { file: file.path, line: logical.line };
    if (logical.text === '') {
      // A comment under a requirement is pip-compile's `# via` annotation of it.
      if (last && logical.comment !== undefined) inViaList = readViaComment(last, logical.comment, inViaList);
      else last = undefined;
      continue;
    }
    last = undefined;
    inViaList = false;
    if (logical.text.startsWith('-')) {
      await readOptionLine(state, logical.text, location, fromRoot, mode);
      continue;
    }
    const requirement = readRequirementLine(state, logical.text, location, mode);
    if (!requirement) continue;
    if (mode === 'constraints') {
      const normalized = normalizePypiName(requirement.name);
      if (requirement.version !== undefined && !state.constraints.has(normalized)) {
        state.constraints.set(normalized, { version: requirement.version, location });
      }
      continue;
    }
    state.requirements.push(requirement);
    last = requirement;
    if (logical.comment !== undefined) readViaComment(requirement, logical.comment, false);
  }
}

// pip-compile writes `# via a` or `# via` then one `#   a` per line (older: `# via a, b`).
function readViaComment(requirement: Requirement, comment: string, inViaList: boolean): boolean {
  const single = /^\s*via\s+(\S.*)$/.exec(comment);
  if (single?.[1]) {
    for (const item of single[1].split(',')) addVia(requirement, item);
    return false;
  }
  if (/^\s*via\s*$/.test(comment)) {
    requirement.via ??= { direct: false, parents: [] };
    return true;
  }
  const item = /^\s{2,}(\S.*)$/.exec(comment);
  if (inViaList && item?.[1]) {
    addVia(requirement, item[1]);
    return true;
  }
  return false;
}

function addVia(requirement: Requirement, text: string): void {
  const via = (requirement.via ??= { direct: false, parents: [] });
  const item = text.trim();
  if (item.startsWith('-r ')) via.direct = true;
  else if (/\((pyproject\.toml|setup\.py|setup\.cfg)\)$/.test(item)) via.direct = true;
  else if (!item.startsWith('-c ')) {
    const name = parseRequirement(item)?.name;
    if (name !== undefined) via.parents.push(name);
  }
}

async function readOptionLine(state: ReadState, text: string, location: SourceLocation, fromRoot: string, mode: Mode): Promise<void> {
  const match = /^(--[A-Za-z0-9-]+|-[A-Za-z])(.*)$/.exec(text);
  const option = match?.[1] ?? text;
  const value = (match?.[2] ?? '').replace(/^\s*=?\s*/, '').trim();
  if (['-r', '--requirement', '-c', '--constraint'].includes(option)) {
    const includeMode: Mode = option === '-c' || option === '--constraint' || mode === 'constraints' ? 'constraints' : 'requirements';
    await readInclude(state, value, location, fromRoot, includeMode);
    return;
  }
  if (mode === 'constraints') return;
  if (option === '-e' || option === '--editable') {
    state.skipped.push({ location, name: eggName(value), version: value, ecosystem: 'PyPI', ...notAudited('editable install') });
    return;
  }
  if (GLOBAL_OPTIONS.has(option)) return;
  state.skipped.push({ location, version: text, ecosystem: 'PyPI', reason: `unknown pip option ${option}` });
}

async function readInclude(state: ReadState, target: string, location: SourceLocation, fromRoot: string, mode: Mode): Promise<void> {
  if (target === '') {
    state.skipped.push({ location, ecosystem: 'PyPI', reason: 'include option without a file name' });
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    state.skipped.push({ location, version: target, ecosystem: 'PyPI', reason: 'remote requirements file not read' });
    return;
  }
  // Includes are relative to the including file; readRelated resolves from the first file's folder.
  const relative = path.isAbsolute(target) ? target : path.posix.join(path.posix.dirname(fromRoot), target);
  const included = await state.context.readRelated(relative);
  if (!included) {
    state.skipped.push({ location, version: target, ecosystem: 'PyPI', reason: `included file not found: ${target}` });
    return;
  }
  const absolute = path.resolve(included.absolutePath);
  // Each file is read once: this breaks include cycles and keeps a shared base file from
  // counting its packages twice.
  if (state.visited.has(absolute)) return;
  state.visited.add(absolute);
  if (!state.related.includes(included.path)) state.related.push(included.path);
  await readInto(state, included, relative, mode);
}

function readRequirementLine(state: ReadState, text: string, location: SourceLocation, mode: Mode): Requirement | undefined {
  const skip = (reason: string, name?: string, version?: string, kind?: SkippedKind): void => {
    if (mode === 'requirements') state.skipped.push({ location, name, version, ecosystem: 'PyPI', reason, ...(kind === undefined ? {} : { kind }) });
  };
  // pip's break_args_options: per-requirement options (`--hash`, `-C`) start at the first `-` token.
  const tokens = text.split(' ');
  const firstOption = tokens.findIndex((token) => token.startsWith('-'));
  const requirementText = (firstOption < 0 ? tokens : tokens.slice(0, firstOption)).join(' ').trim();
  if (requirementText.includes('${')) {
    skip('environment variable in requirement (not expanded)', parseRequirement(requirementText)?.name, requirementText);
    return undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/|^file:/i.test(requirementText)) {
    const vcs = /^(git|hg|svn|bzr)\+/i.test(requirementText);
    skip(vcs ? 'VCS reference (not from a package index)' : 'URL (not from a package index)', eggName(requirementText), requirementText, 'not-audited');
    return undefined;
  }
  const beforeMarker = requirementText.split(';')[0] ?? '';
  if ((/^[.~/\\]|[/\\]|\.(whl|zip|tar\.gz|tgz|tar\.bz2)$/i.test(beforeMarker.trim())) && !requirementText.includes('@')) {
    skip('local path (not from a package index)', eggName(requirementText), requirementText, 'not-audited');
    return undefined;
  }
  const requirement = parseRequirement(requirementText);
  if (!requirement) {
    skip('invalid requirement', undefined, requirementText);
    return undefined;
  }
  if (requirement.url !== undefined) {
    const vcs = /^(git|hg|svn|bzr)\+/i.test(requirement.url);
    skip(vcs ? 'VCS reference (not from a package index)' : 'direct URL reference (not from a package index)', requirement.name, requirement.url, 'not-audited');
    return undefined;
  }
  const pin = readPin(requirement.specifier);
  if (pin.kind === 'invalid') {
    skip('invalid requirement', requirement.name, requirementText);
    return undefined;
  }
  return {
    location,
    name: requirement.name,
    version: pin.kind === 'pinned' ? pin.version : undefined,
    specifier: requirement.specifier,
    via: undefined,
  };
}

function eggName(text: string): string | undefined {
  return /[#&]egg=([A-Za-z0-9._-]+)/.exec(text)?.[1];
}

function buildResult(state: ReadState): ParsedDependencyFile {
  const allocateKey = makeKeyAllocator();
  const skipped = [...state.skipped];
  const resolved: { requirement: Requirement; key: string; version: string; location: SourceLocation }[] = [];
  for (const requirement of state.requirements) {
    const constraint = state.constraints.get(normalizePypiName(requirement.name));
    const version = requirement.version ?? constraint?.version;
    if (version === undefined) {
      skipped.push({
        location: requirement.location,
        name: requirement.name,
        version: requirement.specifier === '' ? undefined : requirement.specifier,
        ecosystem: 'PyPI',
        reason: 'not pinned with == or ===',
      });
      continue;
    }
    const location = requirement.version === undefined && constraint ? constraint.location : requirement.location;
    resolved.push({ requirement, version, location, key: allocateKey(`${requirement.name}@${version}`, location.file, location.line) });
  }

  // `# via parent` means parent depends on this package; annotations name packages of their own file.
  const children = new Map<string, string[]>();
  const byFileAndName = new Map(resolved.map((item) => [`${item.requirement.location.file}\n${normalizePypiName(item.requirement.name)}`, item.key]));
  for (const item of resolved) {
    for (const parent of item.requirement.via?.parents ?? []) {
      const parentKey = byFileAndName.get(`${item.requirement.location.file}\n${normalizePypiName(parent)}`);
      if (parentKey === undefined || parentKey === item.key) continue;
      const list = children.get(parentKey) ?? [];
      if (!list.includes(item.key)) list.push(item.key);
      children.set(parentKey, list);
    }
  }

  const packages: Package[] = resolved.map((item) => {
    const via = item.requirement.via;
    const direct: Directness = via ? via.direct : 'unknown';
    return makePackage({
      ecosystem: 'PyPI',
      name: item.requirement.name,
      version: item.version,
      key: item.key,
      location: item.location,
      direct,
      dependsOn: children.get(item.key) ?? [],
    });
  });
  return { packages, skipped, related: state.related };
}
