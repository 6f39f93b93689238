import type { CliIo } from '../io.js';

export async function runFix(_args: readonly string[], _io: CliIo): Promise<number> {
  return Promise.resolve(70);
}
