import type { Clock } from '../core/clock.js';
import { normaliseLogin } from './logins.js';

// Console log-in throttling with growing delays instead of a hard lockout, after the OWASP
// Authentication Cheat Sheet ("Account Lockout": exponential back-off, an observation window, and
// the denial-of-service risk of locking out the right password):
// https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#account-lockout
//
// Three counters of recent failures: per account (whatever address they come from, so rotating
// addresses or X-Forwarded-For buys nothing), per client address (so one address cannot spray
// guesses over many accounts), and per account-and-address pair. Both delays are checked before
// the password, so an attempt held back learns nothing of the password. Two exceptions keep
// an attacker from locking out the right password:
// - the address delay does not hold back a pair with no failures of its own: behind an office NAT
//   the attacker's guesses slow the attacker's accounts, not a colleague logging in to theirs;
// - the account delay does not hold back a pair that logged in successfully before (within
//   `knownPairMs`) and has not failed since: the owner, from where they usually log in, still gets in
//   while a remote attacker keeps the account's delay growing.
// A pair let through this way that then fails is no longer clean: its next try waits like any.

/** One counter's rule: free failures, then delays doubling from `baseDelayMs` up to `maxDelayMs`. */
export interface ThrottleRule {
  /** Failures allowed without any delay. */
  readonly freeFailures: number;
  /** The delay after the first failure beyond the free ones; each further failure doubles it. */
  readonly baseDelayMs: number;
  /** The longest delay. */
  readonly maxDelayMs: number;
  /** Failures are forgotten this long after the last one. */
  readonly forgetAfterMs: number;
}

/** Log-in throttling settings (a service reads them from its configuration, e.g. the desk's `login_throttle`). */
export interface LoginThrottleSettings {
  /** Failures on one account, from any address. */
  readonly account: ThrottleRule;
  /** Failures from one client address, on any account. */
  readonly address: ThrottleRule;
  /** How long a successful log-in makes its account-and-address pair known. */
  readonly knownPairMs: number;
  /** Most entries kept per counter; the least recently used go first beyond it. */
  readonly maxEntries: number;
}

/** Whether a log-in attempt may have its password checked now. */
export type ThrottleDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** Which delay holds it back. */
      readonly scope: 'account' | 'address';
      /** How long until it may try again, milliseconds (at least 1). */
      readonly retryAfterMs: number;
    };

/** What a recorded failure leads to. */
export interface FailureOutcome {
  /** Recent failures on the account, this one included. */
  readonly accountFailures: number;
  /** Recent failures from the address, this one included. */
  readonly addressFailures: number;
  /** How long the next attempt on this account from this address must wait, milliseconds (0: none). */
  readonly nextWaitMs: number;
}

interface Counter {
  failures: number;
  lastFailureAt: number;
  lastSuccessAt: number | undefined;
}

/** The delay that `failures` recent failures impose after the last one, milliseconds. */
export function throttleDelayMs(rule: ThrottleRule, failures: number): number {
  if (failures <= rule.freeFailures) return 0;
  // 2^(n-1) overflows nothing here: the exponent is capped well before doubles lose integers.
  const exponent = Math.min(failures - rule.freeFailures - 1, 40);
  return Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** exponent);
}

/** A map that forgets its least recently used entry beyond `max`. */
class BoundedMap {
  readonly #entries = new Map<string, Counter>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): Counter | undefined {
    return this.#entries.get(key);
  }

  touch(key: string, counter: Counter): void {
    this.#entries.delete(key);
    this.#entries.set(key, counter);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The account key of a login as typed: normalised as log-ins are, bounded. */
function accountKey(login: string): string {
  return normaliseLogin(login).slice(0, 100);
}

/**
 * Counts console log-in failures per account, per client address and per pair, in this
 * process's memory (several server processes each count their own), and says how long an
 * attempt must wait. Time comes from the injected clock.
 */
export class LoginThrottle {
  readonly #settings: LoginThrottleSettings;
  readonly #clock: Clock;
  readonly #accounts: BoundedMap;
  readonly #addresses: BoundedMap;
  readonly #pairs: BoundedMap;

  constructor(settings: LoginThrottleSettings, clock: Clock) {
    this.#settings = settings;
    this.#clock = clock;
    this.#accounts = new BoundedMap(settings.maxEntries);
    this.#addresses = new BoundedMap(settings.maxEntries);
    this.#pairs = new BoundedMap(settings.maxEntries);
  }

  /** The settings in force. */
  get settings(): LoginThrottleSettings {
    return this.#settings;
  }

  /** Whether an attempt on `login` from `address` may be checked now, else how long it waits. */
  check(login: string, address: string): ThrottleDecision {
    const now = this.#clock.now().getTime();
    const account = accountKey(login);
    const pair = this.#pairs.get(pairKey(account, address));
    const pairFailures = recentFailures(pair, this.#settings.account, now);
    const pairKnown = pair?.lastSuccessAt !== undefined && now - pair.lastSuccessAt <= this.#settings.knownPairMs;
    const accountWait = waitMs(this.#accounts.get(account), this.#settings.account, now);
    if (accountWait > 0 && !(pairKnown && pairFailures === 0)) return { allowed: false, scope: 'account', retryAfterMs: accountWait };
    const addressWait = waitMs(this.#addresses.get(address), this.#settings.address, now);
    if (addressWait > 0 && pairFailures > 0) return { allowed: false, scope: 'address', retryAfterMs: addressWait };
    return { allowed: true };
  }

  /** Counts a wrong password (or unknown login) on `login` from `address`. */
  recordFailure(login: string, address: string): FailureOutcome {
    const now = this.#clock.now().getTime();
    const account = accountKey(login);
    const accountFailures = this.#fail(this.#accounts, account, this.#settings.account, now);
    const addressFailures = this.#fail(this.#addresses, address, this.#settings.address, now);
    this.#fail(this.#pairs, pairKey(account, address), this.#settings.account, now);
    const nextWaitMs = Math.max(throttleDelayMs(this.#settings.account, accountFailures), throttleDelayMs(this.#settings.address, addressFailures));
    return { accountFailures, addressFailures, nextWaitMs };
  }

  /**
   * A successful log-in: the account's and the pair's failures are forgotten and the pair becomes
   * known. The address keeps its count: one good password must not wipe out guesses on others.
   */
  recordSuccess(login: string, address: string): void {
    const now = this.#clock.now().getTime();
    const account = accountKey(login);
    this.#accounts.delete(account);
    this.#pairs.touch(pairKey(account, address), { failures: 0, lastFailureAt: 0, lastSuccessAt: now });
  }

  #fail(map: BoundedMap, key: string, rule: ThrottleRule, now: number): number {
    const counter = map.get(key);
    const failures = recentFailures(counter, rule, now) + 1;
    map.touch(key, { failures, lastFailureAt: now, lastSuccessAt: counter?.lastSuccessAt });
    return failures;
  }
}

function pairKey(account: string, address: string): string {
  return `${account}\n${address}`;
}

function recentFailures(counter: Counter | undefined, rule: ThrottleRule, now: number): number {
  if (counter === undefined || counter.failures === 0) return 0;
  return now - counter.lastFailureAt > rule.forgetAfterMs ? 0 : counter.failures;
}

function waitMs(counter: Counter | undefined, rule: ThrottleRule, now: number): number {
  const failures = recentFailures(counter, rule, now);
  if (counter === undefined || failures === 0) return 0;
  const until = counter.lastFailureAt + throttleDelayMs(rule, failures);
  return Math.max(0, until - now);
}

/** `Retry-After` seconds for a wait: whole seconds, rounded up, at least 1 (RFC 9110, section 10.2.3). */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/** A wait for people: `1 second`, `40 seconds`, `3 minutes`. */
export function describeSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
