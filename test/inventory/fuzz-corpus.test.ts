// A bounded fuzz test over the real lockfiles and SBOMs of the shared corpus: each file is mutated
// (empty, truncated at line boundaries and mid-line, bytes flipped, an entry duplicated, deep
// nesting, a YAML alias bomb) and read as `vigil audit` reads it. For every case the outcome must
// be a typed input error naming the file (exit 2, one line, no stack trace), or an inventory that
// loses no package silently: every package it lists is one of the original file's, and when it
// lists fewer, a skipped entry vigil could not evaluate says so. Never an untyped error, never
// over the time limit. Seeded, so a failure repeats.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileParseError, UsageError } from '../../src/core/errors.js';
import type { Inventory } from '../../src/core/types.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { runCli, hasStackTrace } from '../e2e/run-cli.js';
import { HOSTILE_TIME_LIMIT_MS, nestedBrackets, yamlAliasBomb } from '../helpers/hostile-inputs.js';
import { shared } from '../helpers/shared-data.js';

const CORPUS = [
  'corpus/npm/cyberchef/package-lock.json',
  'corpus/npm/tock/package-lock.json',
  'corpus/npm/treeherder/yarn.lock',
  'corpus/npm/jest/yarn.lock',
  'corpus/npm/vue-core-pnpm6/pnpm-lock.yaml',
  'corpus/npm/vue-core-pnpm9/pnpm-lock.yaml',
  'corpus/pypi/nautobot/poetry.lock',
  'corpus/pypi/pydantic/uv.lock',
  'corpus/pypi/tock/Pipfile.lock',
  'corpus/pypi/pdm/pdm.lock',
  'corpus/pypi/treeherder/requirements/common.txt',
  'corpus/sbom-cyclonedx/cyberchef-npm-sbom/cyberchef-10.8.2.cdx.json',
  'corpus/sbom-spdx/cyberchef-npm-sbom/cyberchef-10.8.2.spdx.json',
];

/** mulberry32: a small seeded generator, so every run mutates the same way. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Mutation {
  readonly name: string;
  readonly text: string;
  /** Whether the mutation only removes content (then fewer packages must be said, never silent). */
  readonly removes: boolean;
}

function mutations(text: string, fileName: string, seed: number): Mutation[] {
  const next = random(seed);
  const lines = text.split('\n');
  const out: Mutation[] = [{ name: 'empty', text: '', removes: true }];
  for (const fraction of [0.2, 0.5, 0.8, 0.95]) {
    out.push({ name: `cut after line ${Math.floor(lines.length * fraction)}`, text: `${lines.slice(0, Math.floor(lines.length * fraction)).join('\n')}\n`, removes: true });
  }
  for (let i = 0; i < 2; i++) {
    const at = Math.floor(next() * text.length);
    out.push({ name: `cut at byte ${at}`, text: text.slice(0, at), removes: true });
  }
  for (let i = 0; i < 8; i++) {
    const at = Math.floor(next() * text.length);
    const replacement = String.fromCharCode(32 + Math.floor(next() * 95));
    out.push({ name: `byte ${at} set to ${JSON.stringify(replacement)}`, text: text.slice(0, at) + replacement + text.slice(at + 1), removes: false });
  }
  // One line repeated: a duplicate key in JSON, TOML and YAML formats, a repeated line elsewhere.
  const line = Math.floor(next() * lines.length);
  out.push({ name: `line ${line + 1} duplicated`, text: [...lines.slice(0, line + 1), ...lines.slice(line)].join('\n'), removes: false });
  const deep = fileName.endsWith('.json') ? nestedBrackets(100_000) : fileName.endsWith('.yaml') || fileName.endsWith('.lock') && text.includes('__metadata') ? `deep: ${nestedBrackets(100_000)}\n` : `deep = ${nestedBrackets(100_000)}\n`;
  out.push({ name: 'deep nesting', text: fileName.endsWith('.json') ? deep : deep + text, removes: false });
  if (fileName.endsWith('.yaml') || text.includes('__metadata')) out.push({ name: 'alias bomb', text: yamlAliasBomb() + text, removes: false });
  return out;
}

function identities(inventory: Inventory): Set<string> {
  return new Set(inventory.packages.map((pkg) => `${pkg.ecosystem}:${pkg.name}@${pkg.version}`));
}

async function readAt(fileName: string, text: string): Promise<{ inventory?: Inventory; error?: unknown; ms: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-fuzz-'));
  writeFileSync(path.join(dir, fileName), text);
  const started = performance.now();
  try {
    const inventory = await buildInventory({ paths: [path.join(dir, fileName)], root: dir });
    return { inventory, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

describe('fuzzed corpus files: an input error naming the file, or no package lost silently', () => {
  it.each(CORPUS.map((file, index) => ({ file, seed: 1_000 + index })))('$file', async ({ file, seed }) => {
    const original = readFileSync(shared(file), 'utf8');
    // A pip file is found by its name: requirements/common.txt is written as requirements.txt.
    const fileName = file.endsWith('.txt') ? 'requirements.txt' : path.basename(file);
    const base = await readAt(fileName, original);
    expect(base.error).toBeUndefined();
    const originalPackages = identities(base.inventory as Inventory);
    const problems: string[] = [];
    for (const mutation of mutations(original, fileName, seed)) {
      const { inventory, error, ms } = await readAt(fileName, mutation.text);
      if (ms > HOSTILE_TIME_LIMIT_MS) problems.push(`${mutation.name}: took ${Math.round(ms)} ms`);
      if (error !== undefined) {
        if (!(error instanceof LockfileParseError || error instanceof UsageError)) {
          problems.push(`${mutation.name}: untyped error ${error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error)}`);
        } else if (error.location?.file !== fileName && !error.message.startsWith(`${fileName}:`)) {
          problems.push(`${mutation.name}: error does not name the file: ${error.message}`);
        } else if (error.message.includes('\n')) problems.push(`${mutation.name}: error message spans lines`);
        continue;
      }
      if (!mutation.removes || inventory === undefined) continue;
      const found = identities(inventory);
      const foreign = [...found].filter((id) => !originalPackages.has(id));
      if (foreign.length > 0) problems.push(`${mutation.name}: packages not in the file: ${foreign.slice(0, 3).join(', ')}`);
      const unevaluable = inventory.skipped.filter((entry) => entry.kind === undefined);
      // requirements.txt pins one package a line: a cut at a line boundary is a shorter, valid file.
      const lineBased = fileName.endsWith('.txt');
      if (found.size < originalPackages.size && unevaluable.length === 0 && !lineBased) {
        problems.push(`${mutation.name}: ${found.size} of ${originalPackages.size} packages and nothing said`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it.each([
    { name: 'a truncated package-lock.json', file: 'corpus/npm/tock/package-lock.json', cut: (text: string) => text.slice(0, text.length / 2) },
    { name: 'a pnpm-lock.yaml with an alias bomb', file: 'corpus/npm/vue-core-pnpm9/pnpm-lock.yaml', cut: (text: string) => yamlAliasBomb() + text },
    { name: 'an empty uv.lock', file: 'corpus/pypi/pydantic/uv.lock', cut: () => '' },
  ])('end to end, $name is exit 2 with the file named and no stack trace', async ({ file, cut }) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-fuzz-cli-'));
    const fileName = path.basename(file);
    writeFileSync(path.join(dir, fileName), cut(readFileSync(shared(file), 'utf8')));
    const run = await runCli(['audit', '--offline', '--db', path.join(dir, 'none.db'), fileName], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^vigil: ${fileName.replace('.', '\\.')}[:]`, 'm'));
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});
