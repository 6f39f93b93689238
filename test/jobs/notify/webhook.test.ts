import { describe, expect, it } from 'vitest';
import { parseRetryAfter, signWebhook, verifyWebhookSignature, checkWebhookUrl } from '../../../src/jobs/notify/webhook.js';

describe('webhook signatures', () => {
  // The expected MAC was computed with openssl, not with vigil:
  //   printf '%s' '1700000000.{"type":"finding.new"}' | openssl dgst -sha256 -hmac 'whsec_0123456789abcdef'
  const secret = 'whsec_0123456789abcdef';
  const body = '{"type":"finding.new"}';
  const at = new Date(1_700_000_000_000);
  it('signs "<t>.<body>" with HMAC-SHA256', () => {
    expect(signWebhook(secret, body, at)).toBe('t=1700000000,v1=75e1d11ad8323fe30bdefd994e4d5225f6934a30f3ed22662c4a75004bb55c36');
  });
  it.each([
    { name: 'the signed request', header: 't=1700000000,v1=75e1d11ad8323fe30bdefd994e4d5225f6934a30f3ed22662c4a75004bb55c36', now: at, want: true },
    { name: 'a rotated secret beside the right one', header: `t=1700000000,v1=${'0'.repeat(64)},v1=75e1d11ad8323fe30bdefd994e4d5225f6934a30f3ed22662c4a75004bb55c36`, now: at, want: true },
    { name: 'a replay ten minutes later', header: 't=1700000000,v1=75e1d11ad8323fe30bdefd994e4d5225f6934a30f3ed22662c4a75004bb55c36', now: new Date(1_700_000_600_000), want: false },
    { name: 'another timestamp', header: 't=1700000001,v1=75e1d11ad8323fe30bdefd994e4d5225f6934a30f3ed22662c4a75004bb55c36', now: at, want: false },
    { name: 'no MAC', header: 't=1700000000', now: at, want: false },
  ])('verifies $name: $want', ({ header, now, want }) => {
    expect(verifyWebhookSignature(secret, header, body, now)).toBe(want);
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-01-05T10:00:00Z');
  it.each([
    { value: '7', want: 7_000 },
    { value: ' 0 ', want: 0 },
    { value: 'Mon, 05 Jan 2026 10:00:30 GMT', want: 30_000 },
    { value: 'Mon, 05 Jan 2026 09:00:00 GMT', want: 0 },
    { value: '999999', want: 3_600_000 },
    { value: 'soon', want: undefined },
    { value: null, want: undefined },
  ])('$value -> $want ms', ({ value, want }) => {
    expect(parseRetryAfter(value, now)).toBe(want);
  });
});

describe('webhook URLs', () => {
  it.each([
    { url: 'https://hooks.example.org/vigil', want: undefined },
    { url: 'http://127.0.0.1:8080/x', want: undefined },
    { url: 'ftp://example.org/', want: 'must be an http or https URL' },
    { url: 'https://user:pw@example.org/', want: 'must not carry credentials (the request is signed instead)' },
    { url: 'not a url', want: 'is not a URL' },
  ])('$url', ({ url, want }) => {
    expect(checkWebhookUrl(url)).toBe(want);
  });
});
