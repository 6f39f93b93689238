import { createRequire } from 'node:module';

/** vigil's own version, from its package.json (two levels above `dist/cli/`). */
export function toolVersion(): string {
  const require = createRequire(import.meta.url);
  const manifest = require('../../package.json') as { version?: string };
  return manifest.version ?? '0.0.0';
}
