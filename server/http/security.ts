/**
 * The lab starts processes on behalf of a browser, so every HTTP request and WebSocket upgrade
 * must prove three things (the Jupyter model):
 *  - Host is one of the lab's own names (defeats DNS rebinding: evil.example resolving to 127.0.0.1);
 *  - Origin, when present, is the lab's own origin (defeats cross-site WebSocket hijacking;
 *    browsers always send it on upgrades);
 *  - the request carries the token: the HttpOnly SameSite=Strict cookie set when the tokened URL
 *    was opened, or `Authorization: token …` / `?token=` for programs.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface SecurityConfig { token: string; port: number; host: string }

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

/** The cookie name carries the port so two labs on one machine don't overwrite each other. */
export function cookieName(port: number): string {
  return `socketlab-token-${port}`;
}

export function allowedHosts(cfg: SecurityConfig): Set<string> {
  const hosts = new Set([`127.0.0.1:${cfg.port}`, `localhost:${cfg.port}`, `[::1]:${cfg.port}`]);
  if (cfg.host && cfg.host !== '127.0.0.1') hosts.add(`${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${cfg.port}`);
  return hosts;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

export function checkRequest(req: IncomingMessage, cfg: SecurityConfig, hosts = allowedHosts(cfg)): Verdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return { ok: false, status: 403, reason: `Host "${host}" is not this lab` };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost = '';
    try { originHost = new URL(origin).host.toLowerCase(); } catch { /* falls through as not allowed */ }
    if (!hosts.has(originHost)) return { ok: false, status: 403, reason: `Origin "${origin}" is not this lab` };
  } else if (origin === 'null') {
    return { ok: false, status: 403, reason: 'Origin "null" is not this lab' };
  }
  const url = new URL(req.url ?? '/', 'http://x');
  const query = url.searchParams.get('token');
  if (query !== null && sameToken(query, cfg.token)) return { ok: true, viaQuery: true };
  const auth = req.headers.authorization;
  if (auth?.startsWith('token ') && sameToken(auth.slice(6).trim(), cfg.token)) return { ok: true, viaQuery: false };
  const cookie = parseCookies(req.headers.cookie).get(cookieName(cfg.port));
  if (cookie !== undefined && sameToken(cookie, cfg.token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, reason: query !== null ? 'wrong token' : 'no token: open the URL the lab printed in its terminal' };
}

export function sessionCookie(cfg: SecurityConfig): string {
  return `${cookieName(cfg.port)}=${cfg.token}; HttpOnly; SameSite=Strict; Path=/`;
}
