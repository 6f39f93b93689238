import type { LockfileParser } from './types.js';

/** What the registry knows of a format without loading its parser. */
export type ParserDescriptor = Omit<LockfileParser, 'parse'>;

/**
 * A parser whose implementation (and its TOML, YAML or schema libraries) is imported the first
 * time a file of its format is parsed: an audit loads only the formats it meets, which keeps the
 * start-up of every CI run short.
 */
export function lazyParser(descriptor: ParserDescriptor, load: () => Promise<LockfileParser['parse']>): LockfileParser {
  let loading: Promise<LockfileParser['parse']> | undefined;
  return {
    ...descriptor,
    async parse(file, context) {
      loading ??= load();
      return (await loading)(file, context);
    },
  };
}
