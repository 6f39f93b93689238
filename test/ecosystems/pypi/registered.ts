// Parsers are taken from the PyPI parser list, so these tests also prove each one is registered.
import { pypiParsers } from '../../../src/ecosystems/pypi/parsers.js';
import type { LockfileParser } from '../../../src/ecosystems/types.js';

/** The registered PyPI parser with this id; throws when it is missing. */
export function registeredParser(id: string): LockfileParser {
  const parser = pypiParsers.find((candidate) => candidate.id === id);
  if (!parser) throw new Error(`no registered PyPI parser ${id}`);
  return parser;
}
