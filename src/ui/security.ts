/**
 * What keeps a dashboard on localhost a dashboard of localhost only. A page from another
 * site can point its own name at 127.0.0.1 (DNS rebinding) and read what the dashboard
 * serves: so a request is answered only when its Host names this server (localhost, an IP
 * literal, which no rebinding can forge, or the --host name) with its port. Stored strings
 * never become markup: the page builds text nodes, and the CSP below forbids inline script
 * and style, so even a mistake there could not run a stored `<img onerror>`.
 */
import { isIP } from 'node:net';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Splits `name:port`, `[v6]:port` or `name`; undefined when it is not a host header at all. */
export function parseHost(header: string): { name: string; port: number | undefined } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header);
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

/** Whether a request's Host header names this server, bound to `boundHost`:`port`. */
export function hostAllowed(header: string | undefined, port: number, boundHost: string): boolean {
  if (header === undefined) return false;
  const host = parseHost(header);
  // Browsers always send the port of a non-default one; this server never listens on 80.
  if (!host || host.port !== port) return false;
  const bare = host.name.startsWith('[') ? host.name.slice(1, -1) : host.name;
  if (host.name === 'localhost' || isIP(bare) !== 0) return true;
  return host.name === boundHost.toLowerCase();
}
