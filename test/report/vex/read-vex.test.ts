import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import type { VexStatement } from '../../../src/policy/types.js';
import { readVexFiles } from '../../../src/report/vex/read-vex.js';
import { fixture } from '../../helpers/shared-data.js';

const vexFile = (name: string): string => fixture('report', 'vex', name);

describe('readVexFiles', () => {
  it('reads OpenVEX: one statement per product, justification kept, line of the vulnerability', async () => {
    const file = vexFile('two-statements.openvex.json');
    expect(await readVexFiles([file])).toEqual<VexStatement[]>([
      { id: 'CVE-2023-32681', purl: 'pkg:pypi/requests@2.30.0', status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', location: { file, line: 9 } },
      { id: 'CVE-2023-32681', purl: 'pkg:pypi/requests@2.29.0', status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', location: { file, line: 9 } },
      { id: 'GHSA-jfh8-c2jp-5v3q', status: 'under_investigation', location: { file, line: 18 } },
    ]);
  });

  it('reads CycloneDX VEX: affects by bom-ref or purl, states mapped, no analysis no statement', async () => {
    const file = vexFile('one-analysis.cdx.json');
    expect(await readVexFiles([file])).toEqual<VexStatement[]>([
      { id: 'GHSA-35jh-r3h4-6jhm', purl: 'pkg:npm/lodash@4.17.20', status: 'not_affected', justification: 'code_not_reachable', location: { file, line: 10 } },
      { id: 'CVE-2021-23337', purl: 'pkg:npm/lodash@4.17.20', status: 'not_affected', justification: 'false_positive', location: { file, line: 15 } },
    ]);
  });

  const invalid: { name: string; file: string; line: number; message: RegExp }[] = [
    { name: 'not JSON', file: 'not-json.txt', line: 1, message: /invalid JSON in VEX file/ },
    { name: 'neither format', file: 'no-statements.json', line: 1, message: /not a VEX document/ },
    { name: 'unknown OpenVEX status', file: 'unknown-status.openvex.json', line: 6, message: /invalid VEX document at statements\.0\.status/ },
    { name: 'product that is not a purl', file: 'bad-purl.openvex.json', line: 6, message: /"requests 2\.30\.0" is not a package URL/ },
  ];
  it.each(invalid)('$name is a ConfigError at its file and line', async ({ file, line, message }) => {
    const path = vexFile(file);
    const error = await readVexFiles([path]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(message);
    expect((error as ConfigError).location).toEqual({ file: path, line });
  });

  it('a missing file is a ConfigError naming it', async () => {
    await expect(readVexFiles([vexFile('absent.json')])).rejects.toBeInstanceOf(ConfigError);
  });
});
