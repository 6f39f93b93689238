import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBlockYaml } from '../../../src/ecosystems/npm/block-yaml.js';
import { parseYamlLockInFull } from '../../../src/ecosystems/npm/yaml-lock.js';
import { fixture, shared } from '../../helpers/shared-data.js';

// The one-pass reader must give, for the lockfiles the package managers really write, exactly
// what the general YAML reader gives: the data (key order included) and the line of every key of
// the top-level mapping and of each mapping under it.
const files = [
  { name: 'jest yarn.lock (Berry, __metadata 6)', path: () => shared('corpus/npm/jest/yarn.lock') },
  { name: 'vue-core pnpm-lock.yaml 6.0', path: () => shared('corpus/npm/vue-core-pnpm6/pnpm-lock.yaml') },
  { name: 'vue-core pnpm-lock.yaml 9.0', path: () => shared('corpus/npm/vue-core-pnpm9/pnpm-lock.yaml') },
  { name: 'fixture yarn-berry-project', path: () => fixture('npm/yarn-berry-project/yarn.lock') },
  { name: 'fixture workspace-v9.pnpm.yaml', path: () => fixture('npm/workspace-v9.pnpm.yaml') },
];

describe('readBlockYaml on real lockfiles', () => {
  it.each(files)('$name: same data and key lines as the general reader', async ({ path }) => {
    const text = readFileSync(path(), 'utf8');
    const fast = readBlockYaml(text);
    // These files are in the shape it reads: a refusal would send every audit to the slow path.
    expect(fast).toBeDefined();
    const full = await parseYamlLockInFull({ absolutePath: path(), path: 'lock', text }, 'lock', '');
    expect(full).toBeDefined();
    if (fast === undefined || full === undefined) return;
    expect(JSON.stringify(fast.data)).toBe(JSON.stringify(full.data));
    expect(fast.data).toStrictEqual(full.data);
    expect([...fast.topLines]).toEqual([...full.keyLines()]);
    expect([...fast.topLines.keys()].length).toBeGreaterThan(1);
    // Each general reading of a section scans the file: a Berry lock's 2,000 entries are sampled.
    const sections = [...fast.topLines.keys()];
    const step = Math.max(1, Math.floor(sections.length / 60));
    for (const section of sections.filter((_, index) => index % step === 0 || index === sections.length - 1)) {
      expect([...(fast.sectionLines.get(section) ?? [])], section).toEqual([...full.keyLines(section)]);
    }
  });
});
