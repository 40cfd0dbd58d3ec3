/**
 * WebSocket fuzz against a live lab: 10,000 generated messages (wrong types, deep nesting, huge
 * strings, `__proto__` keys, binary frames, unknown ids, messages for runs that ended) on one
 * connection while a second client completes echo runs on another. Every message must be answered
 * (an `error`, or `run-started` for a run it was allowed to start), none may wait 2 s for its
 * answer, the lab must log no handler failure, and the echo runs must all complete.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/protocol/messages.js';
import { startLab, TestClient, type TestLab } from '../helpers/lab-server.js';

let lab: TestLab;
const logged: string[] = [];
beforeAll(async () => { lab = await startLab({ log: (l) => logged.push(l) }); });
afterAll(async () => { await lab.close(); });

const HANG_MS = 2000;

/** A JSON text nested `depth` levels deep, built as text (a value that deep could not be stringified). */
function deepText(depth: number, open: string, close: string, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

const runIdLike = fc.oneof(fc.uuid(), fc.string({ maxLength: 70 }), fc.constantFrom('', 'x', '__proto__', 'constructor'));
const anyJson = fc.jsonValue({ maxDepth: 4 });
const protoObject = fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'type', 'runId'), anyJson, { maxKeys: 4 });
const typeField = fc.oneof(fc.constantFrom('run', 'stop', 'stdin', 'control', 'extend', 'hello', 'trace', '', 'RUN'), fc.string({ maxLength: 8 }), anyJson);

/** One generated message: text (JSON or not) or binary. */
const message: fc.Arbitrary<{ binary: boolean; data: string | Buffer }> = fc.oneof(
  // shaped like the protocol, with wrong or missing fields
  fc.record({
    type: typeField,
    runId: fc.option(runIdLike, { nil: undefined }),
    req: fc.option(fc.oneof(fc.string({ maxLength: 70 }), anyJson), { nil: undefined }),
    role: fc.option(fc.oneof(fc.constantFrom('client', 'server', 'lab', ''), fc.string({ maxLength: 70 })), { nil: undefined }),
    experiment: fc.option(fc.oneof(fc.constantFrom('nope', '', '__proto__', 'constructor'), fc.string({ maxLength: 70 })), { nil: undefined }),
    text: fc.option(fc.oneof(fc.string({ maxLength: 50 }), anyJson), { nil: undefined }),
    command: fc.option(fc.oneof(fc.constantFrom('pause', 'read-all', ''), fc.string({ maxLength: 70 })), { nil: undefined }),
    args: fc.option(fc.oneof(protoObject, anyJson), { nil: undefined }),
    params: fc.option(fc.oneof(protoObject, anyJson), { nil: undefined }),
    byMs: fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined }),
  }, { requiredKeys: [] }).map((o) => ({ binary: false, data: JSON.stringify(o) })),
  // any JSON at all, and objects with prototype-ish keys written as text (JSON.stringify would drop __proto__)
  anyJson.map((v) => ({ binary: false, data: JSON.stringify(v) })),
  fc.tuple(typeField, anyJson).map(([t, v]) => ({ binary: false, data: `{"__proto__":{"type":"run","polluted":true},"type":${JSON.stringify(t)},"constructor":{"prototype":${JSON.stringify(v)}}}` })),
  // deep nesting, in every field that could carry it
  fc.tuple(fc.integer({ min: 17, max: 20_000 }), fc.constantFrom('args', 'params', 'type', 'runId', 'text', 'req')).map(([d, field]) => ({
    binary: false, data: `{"type":"control","runId":"x","role":"client","command":"c","${field}":${deepText(d, '[', ']')}}`,
  })),
  // (6 characters a level: 9,000 levels stay under the payload limit, which closes the connection)
  fc.integer({ min: 17, max: 9_000 }).map((d) => ({ binary: false, data: deepText(d, '{"a":', '}') })),
  // huge strings (under the 64 KiB payload limit: past it the connection is closed, tested below)
  fc.integer({ min: 4000, max: 60_000 }).map((n) => ({ binary: false, data: JSON.stringify({ type: 'stdin', runId: 'gone', role: 'client', text: 'x'.repeat(n) }) })),
  // not JSON, and binary frames
  fc.string({ maxLength: 100 }).map((s) => ({ binary: false, data: s })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ binary: true, data: Buffer.from(b) })),
);

function openRaw(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${lab.port}/ws`, { headers: { authorization: `token ${lab.token}` } });
  return new Promise((resolve, reject) => { ws.once('open', () => resolve(ws)); ws.once('error', reject); });
}

/** Echo's client stays for typing once its messages came back: the test stops the run then, as a user would. */
async function finishEcho(c: TestClient, runId: string, messages = 2): Promise<void> {
  const echoed = () => c.lines(runId).filter((l) => l.type === 'event' && l.kind === 'data' && l.actor === 'client').reduce((n, l) => n + (l.type === 'event' && l.kind === 'data' ? l.bytes : 0), 0);
  for (let i = 0; i < 3000 && echoed() < messages * 3; i++) await new Promise((r) => setTimeout(r, 10));
  c.send({ type: 'stop', runId });
  await c.next('run-ended', (m) => m.runId === runId, 30_000);
}

/** Runs echo to completion again and again on its own connection until `until` resolves. */
async function echoRuns(until: Promise<unknown>): Promise<{ completed: number; failed: string[] }> {
  const c = await TestClient.open(lab);
  await c.next('hello');
  let stop = false;
  void until.then(() => { stop = true; });
  let completed = 0;
  const failed: string[] = [];
  for (let i = 0; !stop && i < 200; i++) {
    c.send({ type: 'run', req: `echo-${i}`, experiment: 'echo', params: { count: 2, message: 'hi', intervalMs: 10 } });
    const started = await c.next('run-started', (m) => m.req === `echo-${i}`, 30_000);
    await finishEcho(c, started.runId);
    const footer = c.lines(started.runId).find((l) => l.type === 'footer');
    if (footer?.type === 'footer' && footer.outcome !== 'failed' && footer.observations.held === footer.observations.total) completed++;
    else failed.push(JSON.stringify(footer));
  }
  c.close();
  return { completed, failed };
}

describe('WebSocket fuzz', () => {
  it('answers 10,000 generated messages, none waits 2 s, and echo runs on another connection all complete', async () => {
    const ws = await openRaw();
    const replies: { msg: ServerMessage; at: number }[] = [];
    ws.on('message', (d) => replies.push({ msg: JSON.parse(String(d)) as ServerMessage, at: performance.now() }));
    await new Promise<void>((r) => { const t = setInterval(() => { if (replies.length) { clearInterval(t); r(); } }, 5); });
    expect(replies[0]!.msg.type).toBe('hello');
    replies.length = 0;

    let fuzzDone!: () => void;
    const done = new Promise<void>((r) => { fuzzDone = r; });
    const echo = echoRuns(done);

    const messages = fc.sample(message, { numRuns: 10_000, seed: 4242 });
    let hangs = 0;
    let worst = 0;
    const BATCH = 100;
    for (let i = 0; i < messages.length; i += BATCH) {
      const batch = messages.slice(i, i + BATCH);
      const before = replies.length;
      const sentAt = performance.now();
      for (const m of batch) ws.send(m.data, { binary: m.binary });
      // Each message gets exactly one answer, in order (the lab answers synchronously).
      const deadline = sentAt + 30_000;
      while (replies.length < before + batch.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      expect(replies.length, `batch at ${i}: ${replies.length - before} of ${batch.length} answered`).toBe(before + batch.length);
      for (const r of replies.slice(before)) {
        const waited = r.at - sentAt;
        worst = Math.max(worst, waited);
        if (waited > HANG_MS) hangs++;
      }
    }
    fuzzDone();
    const answered = replies.map((r) => r.msg.type);
    expect(answered.length).toBe(10_000);
    expect(answered.every((t) => t === 'error' || t === 'run-started' || t === 'trace' || t === 'run-ended')).toBe(true);
    expect(hangs, `worst wait ${worst.toFixed(0)} ms`).toBe(0);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const e = await echo;
    expect(e.failed).toEqual([]);
    expect(e.completed).toBeGreaterThan(0);
    expect(logged, `handlers failed on generated input:\n${logged.join('\n')}`).toEqual([]);
    // Nothing was polluted: a plain object has no "polluted" or "type" through its prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    ws.close();
  }, 900_000);

  it('answers deep nesting, prototype keys, binary and ended runs with a named error', async () => {
    const c = await TestClient.open(lab);
    await c.next('hello');
    const ask = async (data: string | Buffer, binary = false) => {
      const n = c.messages.length;
      c.ws.send(data, { binary });
      for (let i = 0; i < 1000 && c.messages.length === n; i++) await new Promise((r) => setTimeout(r, 5));
      return c.messages[n];
    };
    expect(await ask(deepText(5000, '[', ']'))).toMatchObject({ type: 'error', message: expect.stringMatching(/nested more than 16 levels/) });
    expect(await ask(`{"type":"control","runId":"x","role":"client","command":"c","args":${deepText(5000, '{"a":', '}')}}`)).toMatchObject({ type: 'error', message: expect.stringMatching(/nested/) });
    expect(await ask('{"type":"control","runId":"x","role":"client","command":"c","args":{"a":{"b":1}}}')).toMatchObject({ type: 'error', message: expect.stringMatching(/invalid message: args\.a/) });
    expect(await ask('{"__proto__":{"type":"stop"},"runId":"x"}')).toMatchObject({ type: 'error', message: expect.stringMatching(/invalid message: type/) });
    expect(await ask(Buffer.from([1, 2, 3]), true)).toMatchObject({ type: 'error', message: expect.stringMatching(/binary/) });

    // A live run: deep or non-numeric control arguments never reach its trace (they once did, and
    // the batcher's JSON.stringify then threw in a timer and ended the lab), and the run streams on.
    c.send({ type: 'run', req: 'live', experiment: 'echo', params: { count: 1, message: 'ab' } });
    const live = await c.next('run-started', (m) => m.req === 'live');
    expect(await ask(`{"type":"control","runId":"${live.runId}","role":"client","command":"c","args":{"a":${deepText(5000, '[', ']')}}}`)).toMatchObject({ type: 'error', message: expect.stringMatching(/nested/) });
    expect(await ask(JSON.stringify({ type: 'control', runId: live.runId, role: 'client', command: 'c', args: { a: 'x'.repeat(60_000) } }))).toMatchObject({ type: 'error', message: expect.stringMatching(/invalid message: args\.a/) });
    expect(await ask(JSON.stringify({ type: 'stdin', runId: live.runId, role: 'nobody', text: 'x\n' }))).toMatchObject({ type: 'error', message: expect.stringMatching(/not running/) });
    await finishEcho(c, live.runId, 1);
    expect(c.lines(live.runId).some((l) => l.type === 'footer')).toBe(true);

    // A run that ended: every kind of message for it is refused by name.
    c.send({ type: 'run', req: 'r', experiment: 'echo', params: { count: 1, message: 'xy' } });
    const started = await c.next('run-started', (m) => m.req === 'r');
    await finishEcho(c, started.runId, 1);
    for (const m of [
      { type: 'stop', runId: started.runId },
      { type: 'stdin', runId: started.runId, role: 'client', text: 'x\n' },
      { type: 'control', runId: started.runId, role: 'client', command: 'x', args: {} },
      { type: 'extend', runId: started.runId, byMs: 60_000 },
    ]) expect(await ask(JSON.stringify(m))).toMatchObject({ type: 'error', runId: started.runId, message: expect.stringMatching(/no live run/) });
    c.close();
  });

  it('closes a connection that sends more than the payload limit, and the lab goes on', async () => {
    const ws = await openRaw();
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(lab.server.limits.maxPayloadBytes + 1));
    expect(await closed).toBe(1009);
    const c = await TestClient.open(lab);
    expect((await c.next('hello')).type).toBe('hello');
    c.close();
  });
});
