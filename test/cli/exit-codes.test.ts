import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODES_HELP, EXIT_FOR_ERROR, statusAfterStdout } from '../../src/cli/exit-codes.js';
import { OutputError } from '../../src/core/errors.js';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, write`), { code, syscall: 'write' });
}

describe('statusAfterStdout', () => {
  interface Case {
    name: string;
    status: number;
    error: NodeJS.ErrnoException | undefined;
    want: number;
    message?: string;
  }
  const cases: Case[] = [
    { name: 'nothing went wrong', status: EXIT.ok, error: undefined, want: EXIT.ok },
    { name: 'EPIPE keeps a passed gate passed', status: EXIT.ok, error: errno('EPIPE'), want: EXIT.ok },
    { name: 'EPIPE keeps a failed gate failed', status: EXIT.gateFailed, error: errno('EPIPE'), want: EXIT.gateFailed },
    {
      name: 'ENOSPC after a passed gate is an output error',
      status: EXIT.ok,
      error: errno('ENOSPC'),
      want: EXIT.usage,
      message: 'vigil: cannot write to stdout: no space left on device (ENOSPC)',
    },
    {
      name: 'ENOSPC after a failed gate is an output error too',
      status: EXIT.gateFailed,
      error: errno('ENOSPC'),
      want: EXIT.usage,
      message: 'vigil: cannot write to stdout: no space left on device (ENOSPC)',
    },
    {
      name: 'EIO keeps an earlier error status',
      status: EXIT.advisoryData,
      error: errno('EIO'),
      want: EXIT.advisoryData,
      message: 'vigil: cannot write to stdout: input/output error (EIO)',
    },
  ];
  it.each(cases)('$name', ({ status, error, want, message }) => {
    const outcome = statusAfterStdout(status, error);
    expect(outcome.status).toBe(want);
    expect(outcome.message).toBe(message);
  });
});

describe('exit codes', () => {
  it('maps an output error to exit 2 and documents every code', () => {
    expect(EXIT_FOR_ERROR[new OutputError('x').code]).toBe(2);
    for (const code of new Set(Object.values(EXIT))) expect(EXIT_CODES_HELP).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
  });
});
