import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_THROTTLE } from '../../src/desk/config/desk-config.js';
import { describeSeconds, LoginThrottle, retryAfterSeconds, throttleDelayMs, type LoginThrottleSettings } from '../../src/web/login-throttle.js';
import { movableClock } from './movable-clock.js';

const START = '2025-06-02T15:00:00.000Z';

/** Small numbers, so that each delay is derived by hand: 2 free, then 1 s, 2 s, 4 s, 8 s capped. */
const SMALL: LoginThrottleSettings = {
  account: { freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 },
  address: { freeFailures: 4, baseDelayMs: 1000, maxDelayMs: 4000, forgetAfterMs: 30_000 },
  knownPairMs: 86_400_000,
  maxEntries: 1000,
};

function after(iso: string, ms: number): string {
  return new Date(new Date(iso).getTime() + ms).toISOString();
}

describe('throttleDelayMs', () => {
  // OWASP's exponential back-off: nothing for the free failures, then doubling, capped.
  it.each([
    { failures: 0, want: 0 },
    { failures: 5, want: 0 },
    { failures: 6, want: 1000 },
    { failures: 7, want: 2000 },
    { failures: 8, want: 4000 },
    { failures: 15, want: 512_000 },
    { failures: 16, want: 900_000 },
    { failures: 1000, want: 900_000 },
  ])('$failures failures on an account wait $want ms by default', ({ failures, want }) => {
    expect(throttleDelayMs(DEFAULT_LOGIN_THROTTLE.account, failures)).toBe(want);
  });

  it.each([
    { failures: 20, want: 0 },
    { failures: 21, want: 1000 },
    { failures: 27, want: 60_000 },
  ])('$failures failures from an address wait $want ms by default (higher and shorter)', ({ failures, want }) => {
    expect(throttleDelayMs(DEFAULT_LOGIN_THROTTLE.address, failures)).toBe(want);
  });
});

describe('LoginThrottle', () => {
  it('holds an account back whatever address each guess comes from', () => {
    const clock = movableClock(START);
    const throttle = new LoginThrottle(SMALL, clock);
    // Every guess from a new address: the address counters never fill, the account's does.
    const addressOf = (n: number): string => `198.51.100.${n}`;
    throttle.recordFailure('rita', addressOf(1));
    throttle.recordFailure('rita', addressOf(2));
    expect(throttle.check('rita', addressOf(3))).toEqual({ allowed: true });
    throttle.recordFailure('rita', addressOf(3));
    expect(throttle.check('rita', addressOf(4))).toEqual({ allowed: false, scope: 'account', retryAfterMs: 1000 });
    clock.set(after(START, 400));
    expect(throttle.check('RITA ', addressOf(5))).toEqual({ allowed: false, scope: 'account', retryAfterMs: 600 });
    clock.set(after(START, 1000));
    expect(throttle.check('rita', addressOf(6))).toEqual({ allowed: true });
    throttle.recordFailure('rita', addressOf(6));
    expect(throttle.check('rita', addressOf(7))).toEqual({ allowed: false, scope: 'account', retryAfterMs: 2000 });
    // Another account is not held back.
    expect(throttle.check('alan', addressOf(7))).toEqual({ allowed: true });
  });

  it('caps the delay and forgets failures a while after the last one', () => {
    const clock = movableClock(START);
    const throttle = new LoginThrottle(SMALL, clock);
    let now = START;
    for (let n = 1; n <= 8; n++) {
      const decision = throttle.check('rita', `198.51.100.${n}`);
      if (!decision.allowed) {
        now = after(now, decision.retryAfterMs);
        clock.set(now);
      }
      throttle.recordFailure('rita', `198.51.100.${n}`);
    }
    // 8 failures, 2 free: 2^5 s would be 32 s, capped at 8 s.
    expect(throttle.check('rita', '198.51.100.9')).toEqual({ allowed: false, scope: 'account', retryAfterMs: 8000 });
    clock.set(after(now, 60_001));
    expect(throttle.check('rita', '198.51.100.9')).toEqual({ allowed: true });
    throttle.recordFailure('rita', '198.51.100.9');
    // Forgotten: this is the first failure again, within the free ones.
    expect(throttle.check('rita', '198.51.100.10')).toEqual({ allowed: true });
  });

  it('behind one NAT address, a guesser slows only itself and the accounts it guesses', () => {
    const clock = movableClock(START);
    const throttle = new LoginThrottle(SMALL, clock);
    const nat = '203.0.113.7';
    // Password spraying from the office address: one guess per account, five accounts.
    for (const login of ['a1', 'a2', 'a3', 'a4', 'a5']) throttle.recordFailure(login, nat);
    // The address has 5 failures (4 free): its delay holds back pairs that failed...
    expect(throttle.check('a1', nat)).toEqual({ allowed: false, scope: 'address', retryAfterMs: 1000 });
    // ... but not a colleague whose own account never failed from here.
    expect(throttle.check('rita', nat)).toEqual({ allowed: true });
    throttle.recordSuccess('rita', nat);
    // A colleague who then mistypes is held back like the guesser.
    expect(throttle.check('otto', nat)).toEqual({ allowed: true });
    throttle.recordFailure('otto', nat);
    expect(throttle.check('otto', nat)).toMatchObject({ allowed: false, scope: 'address' });
  });

  it('lets the owner in from an address of an earlier log-in while the account waits', () => {
    const clock = movableClock(START);
    const throttle = new LoginThrottle(SMALL, clock);
    throttle.recordSuccess('rita', '192.0.2.1');
    for (let n = 1; n <= 4; n++) throttle.recordFailure('rita', `198.51.100.${n}`);
    expect(throttle.check('rita', '198.51.100.5')).toMatchObject({ allowed: false, scope: 'account' });
    expect(throttle.check('rita', '192.0.2.1')).toEqual({ allowed: true });
    // A failure from there makes it wait like any other address.
    throttle.recordFailure('rita', '192.0.2.1');
    expect(throttle.check('rita', '192.0.2.1')).toMatchObject({ allowed: false, scope: 'account' });
    // Known for knownPairMs only.
    const other = new LoginThrottle(SMALL, clock);
    other.recordSuccess('alan', '192.0.2.2');
    clock.set(after(START, SMALL.knownPairMs + 1));
    for (let n = 1; n <= 3; n++) other.recordFailure('alan', `198.51.100.${n}`);
    expect(other.check('alan', '192.0.2.2')).toMatchObject({ allowed: false, scope: 'account' });
  });

  it('a success forgets the account failures but not the address ones', () => {
    const clock = movableClock(START);
    const throttle = new LoginThrottle(SMALL, clock);
    for (let n = 1; n <= 5; n++) throttle.recordFailure(`guess${n}`, '203.0.113.9');
    throttle.recordFailure('rita', '203.0.113.8');
    throttle.recordFailure('rita', '203.0.113.8');
    throttle.recordSuccess('rita', '203.0.113.8');
    const outcome = throttle.recordFailure('rita', '203.0.113.8');
    expect(outcome.accountFailures).toBe(1);
    // The guesser's address keeps its five failures: its own account's password does not wipe them.
    throttle.recordSuccess('guess1', '203.0.113.9');
    expect(throttle.recordFailure('guess2', '203.0.113.9').addressFailures).toBe(6);
  });

  it('keeps at most maxEntries per counter, forgetting the least recently used', () => {
    const clock = movableClock(START);
    const throttle = new LoginThrottle({ ...SMALL, maxEntries: 3 }, clock);
    for (let n = 0; n < 3; n++) throttle.recordFailure('rita', '192.0.2.50');
    expect(throttle.check('rita', '192.0.2.51')).toMatchObject({ allowed: false });
    for (const login of ['x1', 'x2', 'x3']) throttle.recordFailure(login, `192.0.2.${login.length}`);
    expect(throttle.check('rita', '192.0.2.51')).toEqual({ allowed: true });
  });
});

describe('Retry-After and the wait in words', () => {
  it.each([
    { ms: 1, seconds: 1, words: '1 second' },
    { ms: 1000, seconds: 1, words: '1 second' },
    { ms: 1001, seconds: 2, words: '2 seconds' },
    { ms: 119_000, seconds: 119, words: '119 seconds' },
    { ms: 900_000, seconds: 900, words: '15 minutes' },
  ])('$ms ms: Retry-After $seconds, "$words"', ({ ms, seconds, words }) => {
    expect(retryAfterSeconds(ms)).toBe(seconds);
    expect(describeSeconds(retryAfterSeconds(ms))).toBe(words);
  });
});
