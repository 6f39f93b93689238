import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { checkSecurityTxtExpiry, renderSecurityTxt } from '../../../src/desk/web/security-txt.js';

const FIELDS = {
  contact: ['mailto:security@example.org', 'https://example.org/security/'],
  expires: '2026-01-01T00:00:00Z',
  preferredLanguages: ['en', 'de'],
  encryption: 'https://example.org/pgp-key.txt',
  acknowledgments: 'https://example.org/hall-of-fame',
};

describe('security.txt (RFC 9116)', () => {
  it('writes every field, Policy and Canonical from the public URL when not configured', () => {
    expect(renderSecurityTxt(FIELDS, { publicUrl: 'https://desk.example.org/' })).toBe(
      [
        'Contact: mailto:security@example.org',
        'Contact: https://example.org/security/',
        'Expires: 2026-01-01T00:00:00.000Z',
        'Encryption: https://example.org/pgp-key.txt',
        'Acknowledgments: https://example.org/hall-of-fame',
        'Policy: https://desk.example.org/',
        'Preferred-Languages: en, de',
        'Canonical: https://desk.example.org/.well-known/security.txt',
        '',
      ].join('\n'),
    );
  });

  it('gives no Canonical for a plain-http desk (RFC 9116 section 2.5.2 wants https)', () => {
    expect(renderSecurityTxt({ contact: ['mailto:a@example.org'], expires: '2026-01-01T00:00:00Z' }, { publicUrl: 'http://127.0.0.1:8080' })).not.toContain('Canonical');
  });

  it('refuses an expired file and warns about one more than a year ahead', () => {
    expect(() => checkSecurityTxtExpiry(FIELDS, new Date('2026-01-01T00:00:00Z'))).toThrow(ConfigError);
    expect(checkSecurityTxtExpiry(FIELDS, new Date('2025-06-02T00:00:00Z'))).toEqual([]);
    expect(checkSecurityTxtExpiry(FIELDS, new Date('2024-06-02T00:00:00Z'))[0]).toMatch(/more than a year ahead/);
  });
});
