import { describe, expect, it } from 'vitest';
import { auditProgress } from '../../src/cli/audit-session.js';
import type { CliIo } from '../../src/cli/io.js';

function fakeIo(options: { tty: boolean; env?: Record<string, string> }): { io: CliIo; written: string[] } {
  const written: string[] = [];
  const stderr = { isTTY: options.tty, write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
  const io = { stderr, stdout: stderr, env: options.env ?? {}, log: () => undefined } as unknown as CliIo;
  return { io, written };
}

async function afterDelay(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1150));
}

describe('auditProgress', () => {
  it('names the file being read and how many there are, once the audit passes a second', async () => {
    const { io, written } = fakeIo({ tty: true });
    const progress = auditProgress(io, true);
    progress.onProgress({ phase: 'read', label: 'services/api/poetry.lock', done: 2, total: 5 });
    await afterDelay();
    progress.done();
    expect(written[0]).toBe(`\r\u001b[2Kreading services/api/poetry.lock (file 3 of 5) [${'#'.repeat(12)}${'-'.repeat(18)}] 40%`);
    expect(written.at(-1)).toBe('\r\u001b[2K');
  });

  it('says what is being matched', async () => {
    const { io, written } = fakeIo({ tty: true });
    const progress = auditProgress(io, true);
    progress.onProgress({ phase: 'match', label: 'npm packages', done: 1000, total: 2000 });
    await afterDelay();
    progress.done();
    expect(written[0]).toBe(`\r\u001b[2Kmatching npm packages [${'#'.repeat(15)}${'-'.repeat(15)}] 50%`);
  });

  it.each<{ name: string; tty: boolean; env: Record<string, string>; enabled: boolean }>([
    { name: 'stderr is not a terminal', tty: false, env: {}, enabled: true },
    { name: 'in CI', tty: true, env: { CI: 'true' }, enabled: true },
    { name: 'the caller disabled it (--quiet, machine output on stdout)', tty: true, env: {}, enabled: false },
  ])('writes nothing when $name', async ({ tty, env, enabled }) => {
    const { io, written } = fakeIo({ tty, env });
    const progress = auditProgress(io, enabled);
    progress.onProgress({ phase: 'read', label: 'poetry.lock', done: 0, total: 1 });
    await afterDelay();
    progress.done();
    expect(written).toEqual([]);
  });
});
