import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests that read the full real-data corpus (`../shared`, beside the repository) run when it is
// there. Without it they are left out with one line saying so, so a fresh clone still tests
// itself; VIGIL_REQUIRE_SHARED=1 (set by .ci/run) makes a missing corpus an error instead.
const sharedDir = path.resolve(import.meta.dirname, '../shared');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Test files that call `shared(...)`, directly or through a test helper that does. */
function filesNeedingShared(): string[] {
  const files = testFiles(path.resolve(import.meta.dirname, 'test'));
  const text = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));
  const needing = new Set(files.filter((file) => file !== path.resolve(import.meta.dirname, 'test/helpers/shared-data.ts') && /\bshared\(/.test(text.get(file) ?? '')));
  for (let grew = true; grew; ) {
    grew = false;
    for (const file of files) {
      if (needing.has(file)) continue;
      const imports = [...(text.get(file) ?? '').matchAll(/from '(\.[^']+)\.js'/g)].map((match) => path.resolve(path.dirname(file), `${match[1] ?? ''}.ts`));
      if (imports.some((imported) => needing.has(imported))) {
        needing.add(file);
        grew = true;
      }
    }
  }
  return [...needing].filter((file) => file.endsWith('.test.ts')).map((file) => path.relative(import.meta.dirname, file).split(path.sep).join('/'));
}

const exclude: string[] = [];
if (!existsSync(sharedDir)) {
  if (process.env['VIGIL_REQUIRE_SHARED'] === '1') {
    throw new Error(`VIGIL_REQUIRE_SHARED=1 but the shared real-data folder ${sharedDir} is missing`);
  }
  exclude.push(...filesNeedingShared());
  console.log(`vigil: no ../shared real-data folder beside the repository: ${exclude.length} test files that need it are skipped`);
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...exclude],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
