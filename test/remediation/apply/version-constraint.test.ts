import { describe, expect, it } from 'vitest';
import { poetryToPep440, rewriteVersionConstraint, type ConstraintDialect, type ConstraintRewrite } from '../../../src/remediation/apply/version-constraint.js';

interface Case {
  readonly name: string;
  readonly input: { readonly constraint: string; readonly dialect: ConstraintDialect; readonly locked: string; readonly target: string };
  readonly want: ConstraintRewrite;
}

const pep = (constraint: string, locked: string, target: string): Case['input'] => ({ constraint, dialect: 'pep440', locked, target });
const poetry = (constraint: string, locked: string, target: string): Case['input'] => ({ constraint, dialect: 'poetry', locked, target });
const rewritten = (text: string): ConstraintRewrite => ({ kind: 'rewritten', text });

const cases: Case[] = [
  { name: 'PEP 440: the lower bound moves to the target', input: pep('>=4.2,<5', '4.2.10', '4.2.17'), want: rewritten('>=4.2.17,<5') },
  { name: 'PEP 440: blanks around clauses are kept', input: pep('>= 4.2, <5', '4.2.10', '4.2.17'), want: rewritten('>= 4.2.17, <5') },
  { name: 'PEP 440: no specifier gets a lower bound', input: pep('', '4.2.10', '4.2.17'), want: rewritten('>=4.2.17') },
  { name: 'PEP 440: an upper bound alone gets a lower bound in front', input: pep('<5', '4.2.10', '4.2.17'), want: rewritten('>=4.2.17,<5') },
  { name: 'PEP 440: an exact pin moves', input: pep('==4.2.10', '4.2.10', '4.2.17'), want: rewritten('==4.2.17') },
  { name: 'PEP 440: a compatible release in series keeps its end', input: pep('~=4.2', '4.2.10', '4.2.17'), want: rewritten('>=4.2.17,~=4.2') },
  { name: 'PEP 440: a compatible release moves to the target series', input: pep('~=4.2', '4.2.10', '5.0.1'), want: rewritten('>=5.0.1,~=5.0') },
  { name: 'PEP 440: an upper bound below the target moves past it at its precision', input: pep('>=3.2,<4', '3.2.1', '4.2.17'), want: rewritten('>=4.2.17,<5') },
  { name: 'PEP 440: a wildcard series that holds the target stays', input: pep('==4.2.*', '4.2.10', '4.2.17'), want: rewritten('>=4.2.17,==4.2.*') },
  { name: 'PEP 440: already excludes the locked version', input: pep('>=4.2.17,<5', '4.2.10', '4.2.17'), want: { kind: 'unchanged' } },
  { name: 'PEP 440: an exclusion of the target is a problem', input: pep('!=4.2.17,>=4', '4.2.10', '4.2.17'), want: { kind: 'problem', message: 'cannot make "!=4.2.17,>=4" admit 4.2.17 and exclude 4.2.10' } },
  { name: 'Poetry: caret', input: poetry('^4.2', '4.2.10', '4.2.17'), want: rewritten('^4.2.17') },
  { name: 'Poetry: caret to a new major line', input: poetry('^1.11', '1.11.29', '2.2.28'), want: rewritten('^2.2.28') },
  { name: 'Poetry: a caret that would shrink keeps its end', input: poetry('^0', '0.2.1', '0.2.5'), want: rewritten('>=0.2.5,<1') },
  { name: 'Poetry: tilde', input: poetry('~4.2', '4.2.10', '4.2.17'), want: rewritten('~4.2.17') },
  { name: 'Poetry: a one-segment tilde keeps its end', input: poetry('~4', '4.2.10', '4.2.17'), want: rewritten('>=4.2.17,<5') },
  { name: 'Poetry: any version', input: poetry('*', '4.2.10', '4.2.17'), want: rewritten('>=4.2.17') },
  { name: 'Poetry: a bare version is exact', input: poetry('4.2.10', '4.2.10', '4.2.17'), want: rewritten('4.2.17') },
  { name: 'Poetry: PEP 440 clauses', input: poetry('>=4.2,<5', '4.2.10', '4.2.17'), want: rewritten('>=4.2.17,<5') },
  { name: 'Poetry: a union is a problem', input: poetry('^4.2 || ^5.0', '4.2.10', '4.2.17'), want: { kind: 'problem', message: 'cannot read the constraint "^4.2 || ^5.0" (a union of constraints)' } },
];

describe('rewriteVersionConstraint', () => {
  it.each(cases)('$name', ({ input, want }) => {
    expect(rewriteVersionConstraint(input.constraint, input.dialect, input.locked, input.target)).toEqual(want);
  });
});

describe('poetryToPep440', () => {
  it.each([
    { name: 'caret', input: '^1.2.3', want: '>=1.2.3,<2' },
    { name: 'caret on 0.x', input: '^0.2.3', want: '>=0.2.3,<0.3' },
    { name: 'caret on 0.0.x', input: '^0.0.3', want: '>=0.0.3,<0.0.4' },
    { name: 'tilde', input: '~1.2.3', want: '>=1.2.3,<1.3' },
    { name: 'bare version', input: '1.2.3', want: '==1.2.3' },
    { name: 'any', input: '*', want: '' },
    { name: 'union', input: '^1 || ^2', want: undefined },
  ])('$name', ({ input, want }) => {
    expect(poetryToPep440(input)).toBe(want);
  });
});
