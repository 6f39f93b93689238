import { ConfigError } from '../../core/errors.js';
import { MAX_CONFIG_FILE_BYTES, tooLargeMessage } from '../../core/input-limits.js';
import { readFileWithin } from '../../core/read-bounded.js';
import { parseYamlConfig } from '../../core/yaml-config.js';
import { DeskConfigFileSchema } from './desk-config-schema.js';
import { toDeskConfig, type DeskConfig } from './desk-config.js';

/** The desk configuration file's default name, in the project root. */
export const DESK_CONFIG_FILE = 'desk.yaml';

const HINT = 'see the desk configuration reference in the README, or run "vigil desk init" for a commented example';

/** Parses the text of a desk configuration shown as `file` in messages. */
export function parseDeskConfigText(text: string, file: string): DeskConfig {
  const parsed = parseYamlConfig(text, file, DeskConfigFileSchema, HINT);
  const names = new Set<string>();
  for (const series of parsed.series ?? []) {
    if (names.has(series.name)) throw new ConfigError(`release series "${series.name}" is listed twice`, { location: { file }, hint: HINT });
    names.add(series.name);
    if (series.end_of_support !== undefined && series.end_of_support < series.released) {
      throw new ConfigError(`release series "${series.name}" ends support (${series.end_of_support}) before its release (${series.released})`, {
        location: { file },
      });
    }
  }
  const targets = new Set<string>();
  for (const target of parsed.monitor?.notify ?? []) {
    if (targets.has(target.name)) throw new ConfigError(`monitor notification target "${target.name}" is named twice`, { location: { file }, hint: HINT });
    targets.add(target.name);
  }
  return toDeskConfig(parsed);
}

/** Reads and parses a desk configuration file. */
export async function loadDeskConfig(file: string): Promise<DeskConfig> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileWithin(file, MAX_CONFIG_FILE_BYTES);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(missing ? 'no desk configuration file' : `cannot read the desk configuration: ${(error as Error).message}`, {
      location: { file },
      ...(missing ? { hint: 'run "vigil desk init" to write a commented starter configuration' } : {}),
      cause: error,
    });
  }
  if (bytes === undefined) throw new ConfigError(`the file is ${tooLargeMessage(MAX_CONFIG_FILE_BYTES, 'a configuration file')}`, { location: { file } });
  return parseDeskConfigText(bytes.toString('utf8'), file);
}
