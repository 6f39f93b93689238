import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/progress.js';

function fakeStream(columns?: number): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { write: (chunk: string) => written.push(chunk) > 0, columns } as unknown as NodeJS.WriteStream;
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

  it('with a delay, draws nothing for work that ends sooner, and the latest state once it has passed', () => {
    let now = 10_000;
    const { stream, written } = fakeStream();
    const bar = progressBar(stream, true, { delayMs: 1000, now: () => now });
    bar.sink({ phase: 'read', label: 'a', done: 0, total: 4 });
    now += 999;
    bar.sink({ phase: 'read', label: 'b', done: 1, total: 4 });
    expect(written).toEqual([]);
    now += 1;
    bar.sink({ phase: 'read', label: 'c', done: 2, total: 4 });
    expect(written).toEqual([`\r\u001b[2Kc [${'#'.repeat(15)}${'-'.repeat(15)}] 50%`]);
    bar.done();
    expect(written.at(-1)).toBe('\r\u001b[2K');
  });

  it('leaves the terminal untouched when work ends within the delay', () => {
    const { stream, written } = fakeStream();
    const bar = progressBar(stream, true, { delayMs: 60_000 });
    bar.sink({ phase: 'read', label: 'a', done: 0, total: 1 });
    bar.done();
    expect(written).toEqual([]);
  });

  it.each([
    { name: 'an escape sequence', label: 'evil\u001b[31mred', want: 'evil\\x1b[31mred' },
    { name: 'a carriage return', label: 'one\rtwo', want: 'one\\rtwo' },
    { name: 'a bidi override', label: 'abc\u202edef', want: 'abc\\u{202e}def' },
  ])('writes $name in a label visibly', ({ label, want }) => {
    const { stream, written } = fakeStream();
    progressBar(stream, true).sink({ phase: 'read', label, done: 1 });
    expect(written[0]).toBe(`\r\u001b[2K${want} 1`);
  });

  it('keeps the line shorter than the terminal, so one carriage return clears it', () => {
    const { stream, written } = fakeStream(40);
    progressBar(stream, true).sink({ phase: 'read', label: `reading ${'deep/'.repeat(20)}poetry.lock`, done: 1, total: 2 });
    const line = (written[0] ?? '').slice('\r\u001b[2K'.length);
    expect(line.length).toBe(39);
    expect(line.endsWith('] 50%')).toBe(true);
  });
});

describe('progressBar timer', () => {
  it('draws the last state when the delay ends even if nothing more is reported (one long step)', async () => {
    const { stream, written } = fakeStream();
    const bar = progressBar(stream, true, { delayMs: 30 });
    bar.sink({ phase: 'read', label: 'poetry.lock', done: 0, total: 1 });
    expect(written).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(written).toEqual([`\r\u001b[2Kpoetry.lock [${'-'.repeat(30)}] 0%`]);
    bar.done();
    expect(written.at(-1)).toBe('\r\u001b[2K');
  });
});
