import { Composer, CST, isAlias, isMap, isScalar, Lexer, LineCounter, Parser, visit, type Document } from 'yaml';
import { MAX_NESTING_DEPTH, MAX_YAML_ALIAS_EXPANSION, MAX_YAML_ALIASES, tooDeepMessage } from './input-limits.js';

// Every YAML text vigil reads (lockfiles, advisory records, configuration) goes through here, so
// each is held to the same bounds: nesting depth, alias count and alias expansion
// (https://en.wikipedia.org/wiki/Billion_laughs_attack). The `yaml` package is driven lexeme by
// lexeme so a document nested too deep is stopped where it goes too deep, before composing it
// (composing recurses) and before its parser has spent time on the rest.

export interface ReadYamlOptions {
  /**
   * `failsafe`: every scalar stays the string it was written as (lockfiles, advisory records:
   * `version: 1.10` must not become the number 1.1); `core`: YAML 1.2 core types (configuration).
   */
  readonly schema: 'failsafe' | 'core';
  /**
   * A key written twice in one mapping is an error (`true`), or the last one wins (`false`, as
   * package managers read their lockfiles).
   */
  readonly uniqueKeys: boolean;
}

export type ReadYamlResult =
  | {
      readonly ok: true;
      readonly document: Document.Parsed;
      /** The plain value of the document (`null` when it has no content). */
      readonly value: unknown;
      readonly lineCounter: LineCounter;
    }
  | {
      readonly ok: false;
      /** One line, without a position; `offset` says where. */
      readonly message: string;
      /** Character offset of the problem, when it has one. */
      readonly offset: number | undefined;
      readonly lineCounter: LineCounter;
    };

const COLLECTIONS: ReadonlySet<string> = new Set(['block-map', 'block-seq', 'flow-collection']);
const ALIAS = 0x2a; // '*'

/** Parses one YAML document within the input limits; never throws on bad input. */
export function readYaml(text: string, options: ReadYamlOptions): ReadYamlResult {
  const lineCounter = new LineCounter();
  const problem = (message: string, offset: number | undefined): ReadYamlResult => ({ ok: false, message, offset, lineCounter });

  // What `parseDocument` does, one lexeme at a time (Parser.parse counts the first line too).
  lineCounter.addNewLine(0);
  const parser = new Parser(lineCounter.addNewLine);
  const tokens: CST.Token[] = [];
  let aliases = 0;
  let scalarNext = false;
  for (const lexeme of new Lexer().lex(text)) {
    // The lexeme after a SCALAR marker is scalar text, whatever it starts with.
    if (!scalarNext && lexeme.charCodeAt(0) === ALIAS && ++aliases > MAX_YAML_ALIASES) {
      return problem(`more than ${MAX_YAML_ALIASES} aliases (the limit for one document)`, parser.offset);
    }
    scalarNext = lexeme === CST.SCALAR;
    const offset = parser.offset;
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (collectionDepth(parser.stack) > MAX_NESTING_DEPTH) return problem(`collections ${tooDeepMessage()}`, offset);
  }
  for (const token of parser.end()) tokens.push(token);

  const composer = new Composer({ schema: options.schema, uniqueKeys: false, stringKeys: true, logLevel: 'error' });
  let document: Document.Parsed | undefined;
  for (const composed of composer.compose(tokens, true, text.length)) {
    if (document === undefined) document = composed;
    else return problem('more than one YAML document in the file', composed.range[0]);
  }
  if (document === undefined) return problem('no YAML document', 0);

  const [error] = document.errors;
  if (error) return problem(firstLine(error.message), locateError(tokens, error.code, error.message, error.pos[0]));
  if (options.schema === 'failsafe') {
    // An unknown tag (`!!int 1`) is only a warning to the `yaml` package; in a failsafe reading it
    // would silently stay a string.
    const [warning] = document.warnings;
    if (warning) return problem(firstLine(warning.message), warning.pos[0]);
  }
  if (options.uniqueKeys || aliases > 0) {
    const structural = checkAliasesAndKeys(document, options.uniqueKeys);
    if (structural) return problem(structural.message, structural.offset);
  }

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_YAML_ALIAS_EXPANSION });
  } catch (caught) {
    // `yaml` throws a ReferenceError when aliases expand past maxAliasCount.
    const message = caught instanceof Error ? caught.message : String(caught);
    return problem(
      message.includes('resource exhaustion') ? `aliases expand to more than ${MAX_YAML_ALIAS_EXPANSION} nodes (the limit)` : firstLine(message),
      undefined,
    );
  }
  return { ok: true, document, value, lineCounter };
}

/**
 * Collections open on the parser's stack. Only its bottom (the document) and its top (a scalar
 * being read) can be anything else: scalars hold nothing, so they never sit below another token.
 */
function collectionDepth(stack: readonly CST.Token[]): number {
  let depth = stack.length;
  const bottom = stack[0];
  if (bottom !== undefined && !COLLECTIONS.has(bottom.type)) depth--;
  const top = stack.length > 1 ? stack[stack.length - 1] : undefined;
  if (top !== undefined && !COLLECTIONS.has(top.type)) depth--;
  return depth;
}

/**
 * Where to point an error: for a quote or bracket left open, `yaml` reports where it noticed (the
 * end of the file for a missing closing quote); the author needs the line that opened it, the
 * innermost construct still open before that point.
 */
function locateError(tokens: readonly CST.Token[], code: string, message: string, offset: number): number {
  const unclosed = code === 'MISSING_CHAR' || (code === 'BAD_INDENT' && message.includes('end with'));
  if (!unclosed) return offset;
  let opening: number | undefined;
  const stack: CST.Token[] = [...tokens];
  for (let token = stack.pop(); token !== undefined; token = stack.pop()) {
    if (token.offset > offset) continue;
    if (isOpen(token) && (opening === undefined || token.offset > opening)) opening = token.offset;
    for (const child of childTokens(token)) stack.push(child);
  }
  return opening ?? offset;
}

function isOpen(token: CST.Token): boolean {
  if (token.type === 'flow-collection') return !token.end.some((end) => end.type === 'flow-map-end' || end.type === 'flow-seq-end');
  if (token.type === 'double-quoted-scalar') return !/(?:^|[^\\])(?:\\\\)*"$/.test(token.source.slice(1));
  // Inside single quotes `''` is a quote; the scalar is closed by an odd run of them at its end.
  if (token.type === 'single-quoted-scalar') return (/'*$/.exec(token.source.slice(1))?.[0].length ?? 0) % 2 === 0;
  return false;
}

function childTokens(token: CST.Token): CST.Token[] {
  switch (token.type) {
    case 'document':
      return token.value === undefined ? [] : [token.value];
    case 'block-map':
    case 'block-seq':
    case 'flow-collection':
      return token.items.flatMap((item) => {
        const children: CST.Token[] = [];
        if ('key' in item && item.key) children.push(item.key);
        if (item.value) children.push(item.value);
        return children;
      });
    default:
      return [];
  }
}

/**
 * The first (in the text) duplicate key, when keys must be unique, or alias to an anchor not
 * defined before it. `yaml`'s own duplicate check compares each key with every earlier one, which
 * is quadratic in the size of a mapping: a few hundred kilobytes of keys would take minutes.
 */
function checkAliasesAndKeys(document: Document.Parsed, uniqueKeys: boolean): { message: string; offset: number | undefined } | undefined {
  let found: { message: string; offset: number | undefined } | undefined;
  const note = (message: string, offset: number | undefined): void => {
    if (found === undefined || (offset !== undefined && (found.offset === undefined || offset < found.offset))) found = { message, offset };
  };
  const anchors = new Set<string>();
  visit(document, {
    Node(_key, node) {
      if (isAlias(node)) {
        if (!anchors.has(node.source)) note(`alias *${node.source} has no anchor &${node.source} before it`, node.range?.[0]);
      } else if (node.anchor !== undefined) {
        anchors.add(node.anchor);
      }
      if (uniqueKeys && isMap(node)) {
        const keys = new Set<unknown>();
        for (const pair of node.items) {
          if (!isScalar(pair.key)) continue;
          if (keys.has(pair.key.value)) note('Map keys must be unique', pair.key.range?.[0]);
          keys.add(pair.key.value);
        }
      }
    },
  });
  return found;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').trim().replace(/:$/, '');
}
