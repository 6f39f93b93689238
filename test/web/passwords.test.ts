import { describe, expect, it } from 'vitest';
import { checkNewPassword, dummyPasswordHash, hashPassword, SCRYPT_PARAMS, verifyPassword } from '../../src/web/passwords.js';

describe('password hashing', () => {
  it('stores scrypt with its parameters and a 16-byte salt, and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    expect([scheme, Number(n), Number(r), Number(p)]).toEqual(['scrypt', SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    expect(SCRYPT_PARAMS.N).toBeGreaterThanOrEqual(2 ** 15);
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(hash ?? '', 'base64')).toHaveLength(32);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword('same password twice')).not.toBe(await hashPassword('same password twice'));
  });

  it.each([
    { name: 'another scheme', stored: 'bcrypt$2b$10$abc' },
    { name: 'too few parts', stored: 'scrypt$32768$8$1$c2FsdA==' },
    { name: 'a cost that is not a power of two', stored: `scrypt$30000$8$1$${'A'.repeat(24)}$${'A'.repeat(44)}` },
    { name: 'an absurd cost (memory exhaustion)', stored: `scrypt$${2 ** 24}$8$1$${'A'.repeat(24)}$${'A'.repeat(44)}` },
    { name: 'a short salt', stored: `scrypt$32768$8$1$QUFB$${'A'.repeat(44)}` },
  ])('never matches $name', async ({ stored }) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });

  it('has a dummy hash for unknown logins that verifies like a real one', async () => {
    const dummy = await dummyPasswordHash();
    expect(dummy.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('guess', dummy)).toBe(false);
  });
});

describe('new passwords', () => {
  // Refused: long enough, but on the common-password lists or a pattern a cracker tries first
  // (password1234 is the issue's own example; the rest are in every list of leaked passwords).
  it.each([
    { password: 'password1234', why: /commonly used password/ },
    { password: '123456789012', why: /commonly used password/ },
    { password: 'iloveyou1234', why: /commonly used password/ },
    { password: 'qwertyuiop123', why: /too easy to guess/ },
    { password: 'aaaaaaaaaaaa', why: /a pattern/ },
    { password: 'abcdefghijkl', why: /a pattern/ },
    { password: 'short', why: /at least 12 characters/ },
    { password: 'x'.repeat(1025), why: /at most 1024 characters/ },
  ])('refuses $password', async ({ password, why }) => {
    await expect(checkNewPassword(password, ['rita'])).rejects.toThrow(why);
  });

  it.each(['correct horse battery staple', 'a long enough password', 'x7#kP9!mQ2vL', 'Tr0ub4dor&3-plus'])('accepts %s', async (password) => {
    await expect(checkNewPassword(password, ['rita'])).resolves.toBeUndefined();
  });
});
