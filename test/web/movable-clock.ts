import type { Clock } from '../../src/core/clock.js';

/** A clock the test moves by hand. */
export function movableClock(start: string): Clock & { set(iso: string): void } {
  let now = new Date(start);
  return { now: () => new Date(now), set: (iso) => (now = new Date(iso)) };
}
