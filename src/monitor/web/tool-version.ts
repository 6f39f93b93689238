import { createRequire } from 'node:module';

/** vigil's own version, from its package.json (three levels above `dist/monitor/web/` and `src/monitor/web/`). */
export function monitorToolVersion(): string {
  const require = createRequire(import.meta.url);
  const manifest = require('../../../package.json') as { version?: string };
  return manifest.version ?? '0.0.0';
}
