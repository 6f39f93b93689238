// Parsers are taken from the registry, so these tests also prove each one is registered. Importing
// the registry before any parser module also keeps the package.ts -> registry.ts import cycle in
// the order the application loads it.
import { lockfileParsers } from '../../../src/ecosystems/registry.js';
import type { LockfileParser } from '../../../src/ecosystems/types.js';

/** The registered parser with this id; throws when it is missing. */
export function registeredParser(id: string): LockfileParser {
  const parser = lockfileParsers.find((candidate) => candidate.id === id);
  if (!parser) throw new Error(`no registered parser ${id}`);
  return parser;
}
