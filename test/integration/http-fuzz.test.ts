/**
 * HTTP fuzz against a live lab: generated request lines, targets, header sets, cookies and query
 * strings, raw bytes and broken encodings among them, each sent on its own TCP connection as raw
 * bytes (so nothing a client library would tidy up is tidied). After every batch the lab must still
 * answer an authenticated health check; no request without the token may get past the checks; no
 * handler may have thrown (the lab logs that once, and the log must stay empty).
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type TestLab } from '../helpers/lab-server.js';

let lab: TestLab;
const logged: string[] = [];
beforeAll(async () => { lab = await startLab({ log: (l) => logged.push(l) }); });
afterAll(async () => { await lab.close(); });

interface Reply { status: number | null; head: string; closedWithoutReply: boolean }

/** Sends raw bytes, reads until the lab closes the connection (bounded: 5 s), returns the status line's code. */
function rawRequest(bytes: Buffer): Promise<Reply> {
  return new Promise((resolve) => {
    const sock = net.connect(lab.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, head: text.slice(0, 2000), closedWithoutReply: text.length === 0 });
    };
    const timer = setTimeout(finish, 5000);
    sock.on('data', (d) => { chunks.push(d); if (Buffer.concat(chunks).includes('\r\n\r\n')) setTimeout(finish, 20); });
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', finish);
    sock.write(bytes);
  });
}

function healthy(): Promise<number> {
  return rawRequest(Buffer.from(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${lab.port}\r\nAuthorization: token ${lab.token}\r\nConnection: close\r\n\r\n`)).then((r) => r.status ?? 0);
}

// --- generators ---------------------------------------------------------------------------
const nasty = ['/', '//', '///', '//a:b', '//%zz', '/\\', '\\', '%', '%E0%A4%A', '%00', '..', '/../..', '?', '#', '@', ':', '*', ' ', '\t', '\u00ff', '\u2028', '\ud800', '�', 'http://evil.example/', 'token=', '&token=', 'gc=1'];
const piece = fc.oneof(fc.constantFrom(...nasty), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.webSegment());
const target = fc.oneof(
  fc.array(piece, { maxLength: 6 }).map((p) => p.join('')),
  fc.array(piece, { maxLength: 6 }).map((p) => `/${p.join('')}`),
  fc.tuple(fc.constantFrom('/', '/api/health', '/api/catalog', '/api/stats', '/ws', '/index.html', '/assets/x.js', '//'), fc.webQueryParameters()).map(([p, q]) => `${p}?${q}`),
  fc.webPath(),
  fc.webUrl(),
);
const method = fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH', 'get', 'PRI', ''), fc.string({ maxLength: 10 }));
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', '', 'HTTP/1.1 extra');
const cookieValue = fc.oneof(fc.constantFrom('%', '%E0%A4%A', '%zz', '"', '""', ';', '=', '%00', 'x=%', '\u00ff'), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 10 }));
const cookieName = fc.oneof(fc.constantFrom('other', 'x', 'socketlab-token-7878', '__proto__', 'constructor', ''), fc.string({ maxLength: 10 }));
const cookie = fc.array(fc.tuple(cookieName, cookieValue), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join(fc.sample(fc.constantFrom('; ', ';', ' ; ', ','), 1)[0]));
const headerName = fc.oneof(fc.constantFrom('Host', 'Origin', 'Cookie', 'Authorization', 'Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Content-Length', 'Transfer-Encoding', 'Referer', 'X-Forwarded-Host'), fc.string({ maxLength: 12 }));
const headerValue = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('websocket', 'Upgrade', '13', 'dGhlIHNhbXBsZSBub25jZQ==', 'null', 'http://evil.example', 'token ', 'token x', '-1', '99999999999999999999', 'chunked'));

type Req = { method: string; target: string; version: string; host: string | null; headers: [string, string][]; cookie: string | null; withToken: 'none' | 'query' | 'auth' | 'cookie'; upgrade: boolean; body: string };

const request: fc.Arbitrary<Req> = fc.record({
  method, target, version,
  host: fc.oneof(fc.constant('LAB'), fc.constant(null), fc.constantFrom('evil.example', 'localhost', '127.0.0.1:1', '[::1]', ''), fc.string({ maxLength: 20 })),
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
  cookie: fc.option(cookie, { nil: null }),
  withToken: fc.constantFrom('none', 'none', 'query', 'auth', 'cookie'),
  upgrade: fc.boolean(),
  body: fc.oneof(fc.constant(''), fc.string({ maxLength: 50 })),
});

function encode(r: Req): Buffer {
  const host = r.host === 'LAB' ? `127.0.0.1:${lab.port}` : r.host;
  let tgt = r.target;
  if (r.withToken === 'query') tgt += `${tgt.includes('?') ? '&' : '?'}token=${lab.token}`;
  const lines = [`${r.method} ${tgt} ${r.version}`.trimEnd()];
  if (host !== null) lines.push(`Host: ${host}`);
  if (r.upgrade) lines.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13');
  for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
  if (r.withToken === 'auth') lines.push(`Authorization: token ${lab.token}`);
  const cookies = [r.cookie, r.withToken === 'cookie' ? `socketlab-token-${lab.port}=${lab.token}` : null].filter((c) => c !== null);
  if (cookies.length) lines.push(`Cookie: ${cookies.join('; ')}`);
  if (!r.upgrade) lines.push('Connection: close');
  // latin1: every generated code unit below 256 goes out as that byte, higher ones as their low byte (raw garbage on the wire).
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${r.body}`, 'latin1');
}

describe('HTTP fuzz', () => {
  it('answers 2,000 generated requests without dying, never lets one without the token through, and stays healthy after every batch', async () => {
    let sent = 0;
    const statuses = new Map<number | string, number>();
    await fc.assert(fc.asyncProperty(request, async (r) => {
      const reply = await rawRequest(encode(r));
      sent++;
      const key = reply.status ?? (reply.closedWithoutReply ? 'closed' : 'no status');
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      // Without the token nothing is served and nothing is upgraded.
      if (r.withToken === 'none' && reply.status !== null) expect(reply.status, reply.head).toBeGreaterThanOrEqual(400);
      if (sent % 200 === 0) expect(await healthy()).toBe(200);
    }), { numRuns: 2000, seed: 1207, endOnFailure: true });
    expect(sent).toBe(2000);
    expect(await healthy()).toBe(200);
    expect(logged, `handlers threw on generated input:\n${logged.join('\n')}`).toEqual([]);
    // The fuzz reached past the checks too, not only the refusals.
    expect([...statuses.keys()].some((s) => s === 200 || s === 302 || s === 101)).toBe(true);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 600_000);

  it('answers each request form the issue found, on requests and upgrades alike, with a 4xx and stays up', async () => {
    for (const t of ['//', '///', '//a:b', '//%zz', '/\\']) {
      for (const upgrade of [false, true]) {
        const reply = await rawRequest(encode({ method: 'GET', target: t, version: 'HTTP/1.1', host: 'LAB', headers: [], cookie: null, withToken: 'none', upgrade, body: '' }));
        expect(reply.status, `${t} upgrade=${upgrade}: ${reply.head}`).toBeGreaterThanOrEqual(400);
        expect(reply.status).toBeLessThan(500);
      }
    }
    for (const c of ['other=%E0%A4%A', 'x=%']) {
      const reply = await rawRequest(encode({ method: 'GET', target: '/api/health', version: 'HTTP/1.1', host: 'LAB', headers: [], cookie: c, withToken: 'cookie', upgrade: false, body: '' }));
      expect(reply.status, reply.head).toBe(200);
    }
    expect(await healthy()).toBe(200);
  });

  it('never redirects to another site after trading the token (no "//host" Location)', async () => {
    const reply = await rawRequest(encode({ method: 'GET', target: '//evil.example/x', version: 'HTTP/1.1', host: 'LAB', headers: [], cookie: null, withToken: 'query', upgrade: false, body: '' }));
    expect(reply.status).toBe(302);
    expect(/\r\nLocation: ([^\r]*)/i.exec(reply.head)?.[1]).toBe('/evil.example/x');
  });

  it('sends anti-framing headers on every response, refusals included', async () => {
    for (const r of [
      encode({ method: 'GET', target: '/', version: 'HTTP/1.1', host: 'LAB', headers: [], cookie: null, withToken: 'none', upgrade: false, body: '' }),
      encode({ method: 'GET', target: '/', version: 'HTTP/1.1', host: 'LAB', headers: [], cookie: null, withToken: 'auth', upgrade: false, body: '' }),
      encode({ method: 'GET', target: '/nope', version: 'HTTP/1.1', host: 'evil.example', headers: [], cookie: null, withToken: 'auth', upgrade: false, body: '' }),
    ]) {
      const reply = await rawRequest(r);
      expect(reply.head).toMatch(/\r\nX-Frame-Options: DENY\r\n/i);
      expect(reply.head).toMatch(/\r\nContent-Security-Policy: frame-ancestors 'none'\r\n/i);
    }
  });
});
