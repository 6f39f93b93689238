import type { Finding } from '../core/types.js';

/** What the gate decided for one finding. Further kinds come with the policy file. */
export type GateDecision = { readonly kind: 'blocking'; readonly reason: string };

export interface GateResult {
  readonly decisions: ReadonlyMap<Finding, GateDecision>;
  readonly blocking: number;
  /** Whether CI should fail. */
  readonly failed: boolean;
}

/** Without a policy file every finding blocks: the safe default of an audit gate. */
export function evaluateGate(findings: readonly Finding[]): GateResult {
  const decisions = new Map<Finding, GateDecision>();
  for (const finding of findings) decisions.set(finding, { kind: 'blocking', reason: 'no policy: every finding blocks' });
  return { decisions, blocking: findings.length, failed: findings.length > 0 };
}
