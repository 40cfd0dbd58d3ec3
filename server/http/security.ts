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
import { parseCookie } from 'cookie';
import { parseTarget } from './target.js';

export interface SecurityConfig { token: string; port: number; host: string }

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: 400 | 401 | 403; reason: string };

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

/** The lab's cookie from a Cookie header; `cookie` never throws on a broken %-encoding (it keeps the raw text). */
function labCookie(header: unknown, port: number): string | undefined {
  if (typeof header !== 'string' || header.length === 0) return undefined;
  return parseCookie(header)[cookieName(port)];
}

/** A header as one string: Node joins most repeats, but some arrive as arrays. */
function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function checkRequest(req: IncomingMessage, cfg: SecurityConfig, hosts = allowedHosts(cfg)): Verdict {
  const host = (one(req.headers.host) ?? '').toLowerCase();
  if (!hosts.has(host)) return { ok: false, status: 403, reason: `Host "${printable(host)}" is not this lab` };
  const origin = one(req.headers.origin);
  if (origin !== undefined && origin !== 'null') {
    let originHost = '';
    try { originHost = new URL(origin).host.toLowerCase(); } catch { /* falls through as not allowed */ }
    if (!hosts.has(originHost)) return { ok: false, status: 403, reason: `Origin "${printable(origin)}" is not this lab` };
  } else if (origin === 'null') {
    return { ok: false, status: 403, reason: 'Origin "null" is not this lab' };
  }
  const target = parseTarget(req.url);
  if (!target) return { ok: false, status: 400, reason: 'the request target is not a path on this lab' };
  const query = target.searchParams.get('token');
  if (query !== null && sameToken(query, cfg.token)) return { ok: true, viaQuery: true };
  const auth = one(req.headers.authorization);
  if (auth?.startsWith('token ') && sameToken(auth.slice(6).trim(), cfg.token)) return { ok: true, viaQuery: false };
  const cookie = labCookie(req.headers.cookie, cfg.port);
  if (cookie !== undefined && sameToken(cookie, cfg.token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, reason: query !== null ? 'wrong token' : 'no token: open the URL the lab printed in its terminal' };
}

/** Text from a request, shortened and with control characters escaped, for an error message. */
function printable(s: string): string {
  const cut = s.length > 80 ? `${s.slice(0, 80)}…` : s;
  return JSON.stringify(cut).slice(1, -1);
}

export function sessionCookie(cfg: SecurityConfig): string {
  return `${cookieName(cfg.port)}=${cfg.token}; HttpOnly; SameSite=Strict; Path=/`;
}
