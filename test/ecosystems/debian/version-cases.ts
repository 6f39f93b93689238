import { readFileSync } from 'node:fs';

/** One ordering verdict of `dpkg --compare-versions`. */
export interface OrderCase {
  readonly a: string;
  readonly b: string;
  readonly expected: 'lt' | 'eq' | 'gt';
}

/** Reads an `a<TAB>b<TAB>expected` file with a header line. */
export function readOrderCases(file: string): OrderCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => {
      const [a = '', b = '', expected = ''] = line.split('\t');
      if (expected !== 'lt' && expected !== 'eq' && expected !== 'gt') throw new Error(`bad verdict in ${file}: ${line}`);
      return { a, b, expected };
    });
}

/** The verdict of a comparison result. */
export function verdictOf(result: number): OrderCase['expected'] {
  return result < 0 ? 'lt' : result > 0 ? 'gt' : 'eq';
}
