import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/progress.js';

function fakeStream(): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('progressBar', () => {
  it('draws a bar with the percentage and clears it when done', () => {
    const { stream, written } = fakeStream();
    const bar = progressBar(stream, true);
    bar.sink({ phase: 'download', label: 'PyPI', done: 50, total: 200 });
    bar.sink({ phase: 'download', label: 'PyPI', done: 200, total: 200 });
    bar.done();
    expect(written[0]).toBe(`\r\u001b[2KPyPI [${'#'.repeat(8)}${'-'.repeat(22)}] 25%`);
    expect(written[1]).toMatch(/\[#{30}\] 100%$/);
    expect(written.at(-1)).toBe('\r\u001b[2K');
  });

  it('counts when the total is unknown', () => {
    const { stream, written } = fakeStream();
    progressBar(stream, true).sink({ phase: 'import', label: 'records', done: 42 });
    expect(written[0]).toMatch(/records 42$/);
  });

  it('writes nothing when disabled (CI, JSON output, not a TTY)', () => {
    const { stream, written } = fakeStream();
    const bar = progressBar(stream, false);
    bar.sink({ phase: 'download', label: 'PyPI', done: 1, total: 2 });
    bar.done();
    expect(written).toEqual([]);
  });
});
