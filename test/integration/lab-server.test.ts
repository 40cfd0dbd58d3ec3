import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { alive, eventually, spawnedPids } from '../helpers/processes.js';
import { startLab, TestClient, type TestLab } from '../helpers/lab-server.js';

let lab: TestLab;
beforeAll(async () => { lab = await startLab(); });
afterAll(async () => { await lab.close(); });

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: lab.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${lab.port}/ws`, { headers });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode!); ws.terminate(); });
    ws.on('open', () => { resolve(101); ws.close(); });
    ws.on('error', () => { /* reported through unexpected-response */ });
  });
}

describe('lab server security', () => {
  it('trades the tokened URL for an HttpOnly SameSite=Strict cookie and serves the UI with it', async () => {
    const r = await get(`/?token=${lab.token}`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/');
    const cookie = r.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await get('/', { cookie: cookie.split(';')[0]! });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<div id="root">/);
  });

  it('refuses HTTP without the token (401), with a wrong token (401), or with a foreign Host or Origin (403)', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get(`/?token=${lab.token}`, { host: 'evil.example' })).status).toBe(403);
    expect((await get(`/api/catalog?token=${lab.token}`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(`/api/catalog?token=${lab.token}`)).status).toBe(200);
  });

  it('refuses WebSocket upgrades without the token, from a foreign Origin or Host', async () => {
    expect(await upgradeStatus({})).toBe(401);
    expect(await upgradeStatus({ authorization: `token ${lab.token}`, origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus({ authorization: `token ${lab.token}`, host: 'rebind.example:80' })).toBe(403);
    expect(await upgradeStatus({ authorization: `token ${lab.token}`, origin: `http://localhost:${lab.port}` })).toBe(101);
  });
});

describe('lab server WebSocket protocol', () => {
  it('says hello with the catalog, answers bad messages with a named error, and keeps working', async () => {
    const c = await TestClient.open(lab);
    const hello = await c.next('hello');
    expect(hello.catalog.map((e) => e.id)).toContain('echo');
    c.ws.send('not json');
    expect((await c.next('error', (m) => /not valid JSON/.test(m.message))).message).toBe('message is not valid JSON');
    c.send({ type: 'stdin', runId: 'x', role: 'client' });
    expect((await c.next('error', (m) => /text/.test(m.message))).message).toMatch(/invalid message: text/);
    c.send({ type: 'run', req: 'r1', experiment: 'nope' });
    expect((await c.next('error', (m) => m.req === 'r1')).message).toBe('unknown experiment "nope"');
    c.send({ type: 'run', req: 'r2', experiment: 'echo', params: { count: -5 } });
    expect((await c.next('error', (m) => m.req === 'r2')).message).toMatch(/invalid parameters: count/);
    c.send({ type: 'stop', runId: 'no-such-run' });
    expect((await c.next('error', (m) => m.runId === 'no-such-run')).message).toMatch(/no live run/);

    // Still usable: a real run starts, streams its trace, takes typing, and stops.
    c.send({ type: 'run', req: 'r3', experiment: 'echo', params: { count: 1, message: 'hey' } });
    const started = await c.next('run-started', (m) => m.req === 'r3');
    await eventually(() => c.lines(started.runId).some((l) => l.type === 'event' && l.kind === 'data' && l.actor === 'client'), 10_000);
    c.send({ type: 'stdin', runId: started.runId, role: 'client', text: 'typed\n' });
    await eventually(() => c.lines(started.runId).some((l) => l.type === 'event' && l.kind === 'stdout' && l.actor === 'server' && l.text.includes('typed')), 10_000);
    c.send({ type: 'stop', runId: started.runId });
    await c.next('run-ended', (m) => m.runId === started.runId);
    const lines = c.lines(started.runId);
    expect(lines.at(-1)).toMatchObject({ type: 'footer', outcome: 'stopped' });
    expect(await eventually(() => spawnedPids(lines).every((p) => !alive(p)))).toBe(true);
    c.close();
  });

  it('sends trace batches at most 60 times a second', async () => {
    const c = await TestClient.open(lab);
    c.send({ type: 'run', req: 'b', experiment: 'echo', params: { count: 100, intervalMs: 0, message: 'x' } });
    const started = await c.next('run-started');
    await eventually(() => c.lines(started.runId).filter((l) => l.type === 'event' && l.kind === 'data' && l.actor === 'client').length >= 20, 10_000);
    c.send({ type: 'stop', runId: started.runId });
    await c.next('run-ended');
    // Batches leave the server at most 60 times a second: over the run's whole span there can be
    // at most span × 60 of them (plus the first and the final flush).
    const batches = c.messages.filter((m) => m.type === 'trace' && m.runId === started.runId).length;
    const footer = c.lines(started.runId).at(-1)!;
    expect(footer.type).toBe('footer');
    const spanMs = footer.type === 'footer' ? footer.t : 0;
    expect(batches).toBeGreaterThan(1);
    expect(batches).toBeLessThanOrEqual(Math.ceil((spanMs / 1000) * 60) + 2);
    c.close();
  });

  it('ends every run of a browser that disconnects', async () => {
    const c = await TestClient.open(lab);
    c.send({ type: 'run', req: 'd', experiment: 'echo', params: {} });
    const started = await c.next('run-started');
    await eventually(() => spawnedPids(c.lines(started.runId)).length === 2, 10_000);
    const pids = spawnedPids(c.lines(started.runId));
    expect(pids.every(alive)).toBe(true);
    c.ws.terminate();
    expect(await eventually(() => pids.every((p) => !alive(p)), 10_000)).toBe(true);
    expect(await eventually(() => lab.server.runCount === 0)).toBe(true);
  });

  it('limits how fast a browser can type into a pane', async () => {
    const c = await TestClient.open(lab);
    c.send({ type: 'run', req: 't', experiment: 'echo', params: { count: 0 } });
    const started = await c.next('run-started');
    await eventually(() => c.lines(started.runId).some((l) => l.type === 'event' && l.kind === 'connect'), 10_000);
    const line = 'x'.repeat(3000) + '\n';
    c.send({ type: 'stdin', runId: started.runId, role: 'client', text: line });
    c.send({ type: 'stdin', runId: started.runId, role: 'client', text: line });
    expect((await c.next('error', (m) => m.runId === started.runId)).message).toMatch(/typing limit: at most 4096 bytes a second/);
    // The first line went through; the run is still alive.
    await eventually(() => c.lines(started.runId).filter((l) => l.type === 'event' && l.kind === 'stdin').length === 1);
    expect(c.lines(started.runId).filter((l) => l.type === 'event' && l.kind === 'stdin')).toHaveLength(1);
    c.send({ type: 'stop', runId: started.runId });
    await c.next('run-ended');
    c.close();
  });

  it('limits concurrent runs per connection', async () => {
    const c = await TestClient.open(lab);
    for (let i = 0; i < lab.server.limits.maxConcurrentRuns; i++) c.send({ type: 'run', req: `m${i}`, experiment: 'echo', params: {} });
    c.send({ type: 'run', req: 'over', experiment: 'echo', params: {} });
    expect((await c.next('error', (m) => m.req === 'over')).message).toMatch(/at most \d+ runs at once/);
    c.ws.terminate();
    await eventually(() => lab.server.runCount === 0, 15_000);
  });
});

