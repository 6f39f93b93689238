import type { RetryPolicy } from './job-queue.js';

/**
 * The wait before the try after failed try `failedAttempt` (1 for the first): exponential, doubling
 * from `baseDelayMs` up to `maxDelayMs`, with "equal jitter" (half of it fixed, half random), so
 * that receivers that came back up are not hit by every waiting job at the same instant and the
 * wait still grows with each failure.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * `random` returns a number in [0, 1) (default `Math.random`); tests pass a fixed one.
 */
export function backoffDelayMs(failedAttempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failedAttempt - 1, 0), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const half = ceiling / 2;
  return Math.round(half + half * Math.min(Math.max(random(), 0), 1));
}

/**
 * The wait before the next try when the failed one asked for at least `requestedMs` (a receiver's
 * Retry-After): the longer of the two.
 */
export function retryDelayMs(failedAttempt: number, policy: RetryPolicy, requestedMs: number, random: () => number = Math.random): number {
  return Math.max(backoffDelayMs(failedAttempt, policy, random), Math.max(0, requestedMs));
}
