import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { UsageError } from '../core/errors.js';

// scrypt is memory-hard (RFC 7914): each guess costs 128 * N * r bytes, 32 MiB here, so a stolen
// table cannot be searched quickly on GPUs. N = 2^15, r = 8, p = 1 is OWASP's minimum for scrypt
// (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#scrypt).

/** The cost of new hashes. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Longer input buys an attacker nothing and costs the server hashing time. */
export const MAX_PASSWORD_LENGTH = 1024;
/** NIST SP 800-63B asks for at least 8; a team console holding embargoed reports asks more. */
export const MIN_PASSWORD_LENGTH = 12;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // Node refuses above 32 MiB by default, which N = 2^15, r = 8 needs exactly; allow twice that.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/**
 * Hashes a password for storage: `scrypt$N$r$p$salt$hash` (salt and hash base64), so that the
 * cost can be raised later without breaking stored hashes.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, SCRYPT_PARAMS);
  return ['scrypt', SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Whether `password` matches a stored hash, compared in constant time. A malformed hash, or one
 * asking for absurd parameters (a tampered row must not make the server allocate gigabytes), is
 * never matched.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (N === undefined || r === undefined || p === undefined) return false;
  if (!Number.isInteger(N) || N < 2 ** 10 || N > 2 ** 20 || (N & (N - 1)) !== 0) return false;
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < SALT_BYTES || expected.length !== KEY_BYTES) return false;
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const key = await derive(password, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * A valid hash of a random password, to check against when a login does not exist: the answer
 * then takes as long as for a wrong password, so response times do not tell which logins exist.
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64'));
  return dummyHash;
}

/** zxcvbn's score from 3 ("safely unguessable", about 10^8 guesses and more) up is accepted. */
export const MIN_PASSWORD_SCORE = 3;

/** zxcvbn's checker with its common-password and diceware lists: loaded on first use only. */
let strengthChecker: Promise<(password: string, userInputs: string[]) => { score: number; common: boolean }> | undefined;

function loadStrengthChecker(): Promise<(password: string, userInputs: string[]) => { score: number; common: boolean }> {
  strengthChecker ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
    return (password, userInputs) => {
      const result = zxcvbn.check(password, userInputs);
      const found = result.sequence.some((match) => match.pattern === 'dictionary' && match.dictionaryName === 'passwords-common');
      return { score: result.score, common: found };
    };
  })();
  return strengthChecker;
}

/**
 * Checks a new password: 12 to 1024 characters, and not guessable by zxcvbn's measure (score 3 of
 * 4 at least: common passwords, keyboard walks, repeats, dates and the login itself score low),
 * as NIST SP 800-63B section 5.1.1.2 asks a verifier to compare new passwords with a list of
 * commonly used ones. The lists are loaded on the first call only.
 * @throws UsageError saying which rule the password breaks.
 */
export async function checkNewPassword(password: string, userInputs: readonly string[] = []): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new UsageError(`a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  const check = await loadStrengthChecker();
  // zxcvbn's time grows with the length; beyond 256 characters nothing is a common password.
  const { score, common } = check(password.slice(0, 256), [...userInputs]);
  if (score < MIN_PASSWORD_SCORE) {
    const why = common ? 'it is built on a commonly used password' : 'it follows a pattern (a repeat, a sequence, a keyboard walk, a date or the login)';
    throw new UsageError(`this password is too easy to guess: ${why}`, { hint: 'use a passphrase of several unrelated words, or a password manager\'s random password' });
  }
}
