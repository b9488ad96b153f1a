import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Whether a Host header names this machine. Anything else may be DNS rebinding: a page whose own name now
 * resolves to 127.0.0.1 and would otherwise reach the control plane as a "same-origin" caller.
 */
export function isLoopbackHost(host: string): boolean {
  if (host === '') return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  const lower = name.toLowerCase();
  return LOOPBACK_NAMES.has(lower) || /^127\.\d+\.\d+\.\d+$/.test(lower);
}

/**
 * A browser request made by a page of another origin (cross-site fetches, form posts, text/plain "simple"
 * requests): those must never change state here. Non-browser clients (SDK, CLI, curl) send no Origin.
 */
export function isForeignBrowserRequest(headers: IncomingHttpHeaders, host: string): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host.toLowerCase() !== host.toLowerCase();
  } catch {
    return true;
  }
}
