import { isIP } from 'node:net';
import { z } from 'zod';
import { zhText } from '../../drivers/common/invalid-text.js';

/**
 * `server.http.trustProxy`, as Fastify 5 (@fastify/proxy-addr) takes it: true/false; an address, a
 * CIDR range (10.0.0.0/8, or an IPv4 netmask 10.0.0.0/255.0.0.0) or one of the names loopback,
 * linklocal, uniquelocal; a comma list of those in one string; or an array of them (one each).
 * Checked here, so `hallq config check` names the key instead of the server dying at its start with
 * "invalid IP address". A number of hops is refused: Fastify 5 trusts no proxy for a number (it cannot
 * check the nearest peer), so it would silently do nothing.
 */
const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One entry Fastify compiles: a range name, or an address with an optional /prefix or IPv4 /netmask. */
export function isTrustEntry(entry: string): boolean {
  if (NAMES.has(entry)) return true;
  const slash = entry.lastIndexOf('/');
  const ip = slash === -1 ? entry : entry.slice(0, slash);
  const kind = isIP(ip);
  if (kind === 0) return false;
  if (slash === -1) return true;
  const range = entry.slice(slash + 1);
  const max = kind === 6 ? 128 : 32;
  if (/^\d+$/.test(range)) return Number(range) > 0 && Number(range) <= max;
  return kind === 4 && isNetmask(range);
}

/** 255.255.0.0: ones, then zeros, not all zeros. */
function isNetmask(s: string): boolean {
  if (isIP(s) !== 4) return false;
  const bits = s
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  return /^1+0*$/.test(bits);
}

const EXPECTED = zhText(
  'true, false, or the proxy: an address, a CIDR range (10.0.0.0/8), loopback, linklocal or uniquelocal, several separated by commas or as a list (not a number of hops: Fastify 5 trusts no proxy for one)',
  'true、false 或代理地址：IP 地址、CIDR 网段（如 10.0.0.0/8）、loopback、linklocal 或 uniquelocal，多个用逗号分隔或写成列表（不能写跳数：Fastify 5 对跳数不信任任何代理）',
);
const ONE = zhText('an address, a CIDR range (10.0.0.0/8), loopback, linklocal or uniquelocal', 'IP 地址、CIDR 网段（如 10.0.0.0/8）、loopback、linklocal 或 uniquelocal');

const commaList = z.string().refine((s) => s.split(',').every((e) => isTrustEntry(e.trim())), EXPECTED);
const entry = z.string().refine((s) => isTrustEntry(s), ONE);

export const trustProxySchema = z.union([z.boolean(), commaList, z.array(entry).min(1, EXPECTED)], EXPECTED);
