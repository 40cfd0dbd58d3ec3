/**
 * Headers every lab response carries, refusals included. The lab UI must never be framed by
 * another page (SameSite cookies do not separate the ports of one host, so a page on any other
 * loopback port could frame a logged-in lab), its resources are not for other origins to embed,
 * and the tokened first URL is never sent on as a Referer.
 */
import type { ServerResponse } from 'node:http';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'",
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/** The same headers as raw lines, for a refusal written straight to an upgrade's socket. */
export const SECURITY_HEADER_LINES = Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
