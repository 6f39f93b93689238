import os from 'node:os';
import path from 'node:path';

/** The store path: `--db`, else `VIGIL_DB`, else the user's cache folder. */
export function resolveStorePath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return path.resolve(flag);
  if (env['VIGIL_DB']) return path.resolve(env['VIGIL_DB']);
  return path.join(userCacheDir(env), 'vigil', 'advisories.db');
}

function userCacheDir(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'win32') return env['LOCALAPPDATA'] ?? path.join(os.homedir(), 'AppData', 'Local');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches');
  return env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
}
