import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkRequest, cookieName, sessionCookie } from '../../server/http/security.js';

const cfg = { token: 'a'.repeat(48), port: 7878, host: '127.0.0.1' };
const req = (headers: Record<string, string>, url = '/') => ({ headers, url }) as unknown as IncomingMessage;

describe('request checks', () => {
  it('accepts the token by query, header or cookie on a lab Host', () => {
    expect(checkRequest(req({ host: '127.0.0.1:7878' }, `/?token=${cfg.token}`), cfg)).toEqual({ ok: true, viaQuery: true });
    expect(checkRequest(req({ host: 'localhost:7878', authorization: `token ${cfg.token}` }), cfg).ok).toBe(true);
    expect(checkRequest(req({ host: '[::1]:7878', cookie: `x=1; ${cookieName(7878)}=${cfg.token}` }), cfg).ok).toBe(true);
  });
  it('refuses a missing or wrong token with 401', () => {
    expect(checkRequest(req({ host: '127.0.0.1:7878' }), cfg)).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest(req({ host: '127.0.0.1:7878' }, '/?token=nope'), cfg)).toMatchObject({ ok: false, status: 401, reason: 'wrong token' });
  });
  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403, even with the token', () => {
    expect(checkRequest(req({ host: 'evil.example:7878' }, `/?token=${cfg.token}`), cfg)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest(req({ host: '127.0.0.1:7878', origin: 'http://evil.example' }, `/?token=${cfg.token}`), cfg)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest(req({ host: '127.0.0.1:7878', origin: 'null' }, `/?token=${cfg.token}`), cfg)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest(req({ host: '127.0.0.1:7879' }, `/?token=${cfg.token}`), cfg)).toMatchObject({ ok: false, status: 403 });
  });
  it('sets an HttpOnly SameSite=Strict cookie', () => {
    expect(sessionCookie(cfg)).toMatch(/HttpOnly; SameSite=Strict/);
  });
});
