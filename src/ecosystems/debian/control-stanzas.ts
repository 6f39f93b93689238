// deb822 control data as dpkg writes its database (deb-control(5), Debian Policy 5.1): stanzas
// separated by blank lines, `Field: value` lines, continuation lines starting with a space or tab.

/** One stanza: its fields (names lowercased, first value kept) and where it starts. */
export interface Stanza {
  /** 1-based line of the stanza's first line. */
  readonly line: number;
  /** Field values by lowercased name (dpkg field names are case-insensitive). */
  readonly fields: ReadonlyMap<string, string>;
  /** 1-based line of each field, by lowercased name. */
  readonly fieldLines: ReadonlyMap<string, number>;
  /** The first line that is neither a field nor a continuation, when there is one. */
  readonly malformedLine?: number;
}

/** Most stanzas vigil reads from one dpkg database file (a large real system has a few thousand). */
export const MAX_STANZAS = 100_000;

/** Most fields in one stanza (real ones have about twenty). */
export const MAX_FIELDS = 1_000;

/** Thrown when a file has more stanzas or fields than the limits. */
export class StanzaLimitError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const FIELD = /^([!-9;-~][!-9;-~]*):(.*)$/;

/**
 * Splits control data into stanzas. Only the first line of a multi-line field is kept (vigil
 * needs no description or conffile list); a line that is neither a field nor a continuation
 * marks the stanza malformed instead of failing the whole file.
 */
export function readStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let fields = new Map<string, string>();
  let fieldLines = new Map<string, number>();
  let start = 0;
  let malformed: number | undefined;
  let inField = false;
  const flush = (): void => {
    if (start !== 0) {
      if (stanzas.length >= MAX_STANZAS) throw new StanzaLimitError(`more than ${MAX_STANZAS} entries`, start);
      stanzas.push({ line: start, fields, fieldLines, ...(malformed === undefined ? {} : { malformedLine: malformed }) });
    }
    fields = new Map();
    fieldLines = new Map();
    start = 0;
    malformed = undefined;
    inField = false;
  };
  let lineNumber = 0;
  let offset = 0;
  while (offset <= text.length) {
    let end = text.indexOf('\n', offset);
    if (end < 0) end = text.length;
    let line = text.slice(offset, end);
    offset = end + 1;
    lineNumber++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (start === 0) start = lineNumber;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!inField) malformed ??= lineNumber;
      continue;
    }
    const match = FIELD.exec(line);
    if (!match) {
      malformed ??= lineNumber;
      inField = false;
      continue;
    }
    const name = (match[1] ?? '').toLowerCase();
    if (!fields.has(name)) {
      if (fields.size >= MAX_FIELDS) throw new StanzaLimitError(`an entry with more than ${MAX_FIELDS} fields`, start);
      fields.set(name, (match[2] ?? '').trim());
      fieldLines.set(name, lineNumber);
    }
    inField = true;
  }
  flush();
  return stanzas;
}
