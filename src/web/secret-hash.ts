import { createHash } from 'node:crypto';

/**
 * How the server stores a secret it hands out (a tracking token, an API token, a session id): the
 * SHA-256 of it, in hex. The secrets are 256 random bits, so one fast hash suffices (a slow,
 * salted hash is for passwords, which people choose); a leaked table then holds nothing usable.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
