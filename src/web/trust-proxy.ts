import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';
import { visibleText } from '../core/visible-text.js';

/**
 * The reverse proxies whose `X-Forwarded-For` entries are believed: how many proxy hops stand in
 * front of the server (1: one proxy, whose own entry, the last, is the client), or the proxies'
 * addresses and CIDRs (`127.0.0.1`, `10.0.0.0/8`, or `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustedProxies = number | readonly string[];

const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const MAX_PROXY_HOPS = 20;

/** A one-line reason why `entry` is not an address, a CIDR or a range name; undefined when it is one. */
function proxyEntryProblem(entry: string): string | undefined {
  if (PROXY_RANGE_NAMES.includes(entry)) return undefined;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address, a CIDR or one of ${PROXY_RANGE_NAMES.join(', ')}`;
  if (prefix === undefined) return undefined;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) return `"${entry}" has an invalid prefix length`;
  // A prefix of 0 is every address: the client would choose its own address again.
  if (bits === 0) return `"${entry}" is every address`;
  return undefined;
}

/**
 * Reads `--trust-proxy`: a hop count (`1`) or a comma-separated list of proxy addresses and CIDRs.
 * Trusting every hop (`true`, `all`, `*`, `0.0.0.0/0`) is refused: then any client could name its
 * own address in `X-Forwarded-For` and escape the per-address limits.
 * @throws UsageError with a one-line reason.
 */
export function parseTrustedProxies(text: string): TrustedProxies {
  const trimmed = text.trim();
  const hint = 'give the proxies to trust: a hop count (--trust-proxy 1 for one proxy in front) or their addresses/CIDRs (--trust-proxy 127.0.0.1,10.0.0.0/8)';
  if (['true', 'all', '*', 'yes', 'on'].includes(trimmed.toLowerCase())) {
    throw new UsageError(`--trust-proxy ${visibleText(trimmed)}: trusting every proxy hop would let any client pick its own address`, { hint });
  }
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    if (hops < 1 || hops > MAX_PROXY_HOPS) throw new UsageError(`--trust-proxy ${trimmed}: a hop count is 1 to ${MAX_PROXY_HOPS}`, { hint });
    return hops;
  }
  const entries = trimmed.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const problem = entry === '' ? 'an empty entry' : proxyEntryProblem(entry);
    if (problem !== undefined) throw new UsageError(`--trust-proxy: ${visibleText(problem)}`, { hint });
  }
  return entries;
}

/**
 * Fastify's `trustProxy` for the setting, checked again for callers of the library. A hop
 * count becomes a function trusting the nearest `n` hops, as Express and proxy-addr read a number
 * (Fastify 5 takes a bare number as "trust nothing"): the socket's peer is hop 0.
 */
export function fastifyTrustProxy(trust: TrustedProxies | undefined): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined) return false;
  if (typeof trust === 'number') {
    if (!Number.isInteger(trust) || trust < 1 || trust > MAX_PROXY_HOPS) throw new UsageError(`trustProxy: a hop count is 1 to ${MAX_PROXY_HOPS}`);
    return (_address, hop) => hop < trust;
  }
  const list: unknown = trust;
  if (!Array.isArray(list) || list.length === 0) throw new UsageError("trustProxy: give a hop count or the proxies' addresses, never every hop");
  const entries: string[] = [];
  for (const entry of list as readonly unknown[]) {
    const problem = typeof entry === 'string' ? proxyEntryProblem(entry) : 'an entry is not a string';
    if (problem !== undefined || typeof entry !== 'string') throw new UsageError(`trustProxy: ${visibleText(problem ?? 'an entry is not a string')}`);
    entries.push(entry);
  }
  return entries;
}
