/**
 * The websocket experiment on this kernel: the TCP bytes both programs wrote are decoded with the
 * shared codec, and the accept key is recomputed here with node:crypto (independently of the
 * codec's own SHA-1), frame by frame checks against what the programs reported.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';
import { wsView } from '../../shared/websocket/ws-view.js';
import { getHeader } from '../../shared/codecs/http-head.js';
import type { TraceEvent } from '../../shared/trace/schema.js';

describe('websocket run (real processes, real sockets)', () => {
  it('decodes the upgrade and every frame from the TCP bytes, verifies the accept key, and leaves nothing behind', async () => {
    const { lines, footer } = await runExperiment('websocket', {}, 20_000);
    expect(footer).toMatchObject({ outcome: 'completed', reason: 'every actor exited' });
    const obs = finalObservations(lines);
    expect(obs.size).toBe(7);
    for (const [id, o] of obs) expect(o.held, `${id}: ${o.detail}`).toBe(true);

    const events = lines.filter((l): l is TraceEvent => l.type === 'event');
    const v = wsView(events);
    expect(v.clientToServer.problem).toBeUndefined();
    expect(v.serverToClient.problem).toBeUndefined();
    // The accept key, computed with node:crypto from the key on the wire.
    const key = getHeader(v.clientToServer.head!, 'sec-websocket-key')!;
    expect(Buffer.from(key, 'base64')).toHaveLength(16);
    const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    expect(getHeader(v.serverToClient.head!, 'sec-websocket-accept')).toBe(expected);
    expect(v.serverToClient.head!.status).toBe(101);

    // Every byte each side wrote is accounted for by the head and the frames, with no gaps.
    for (const d of [v.clientToServer, v.serverToClient]) {
      let at = d.head!.headLength;
      for (const f of d.frames) { expect(f.offset).toBe(at); at += f.wireBytes; }
      expect(at).toBe(d.bytes);
    }
    // The client's frames in order: text, text, text (FIN 0), continuation, ping, binary, close.
    expect(v.clientToServer.frames.map((f) => `${f.frame.opcodeName}${f.frame.fin ? '' : '(FIN 0)'}/${f.frame.lengthForm}`)).toEqual([
      'text/7', 'text/16', 'text(FIN 0)/7', 'continuation/7', 'ping/7', 'binary/64', 'close/7',
    ]);
    // The frames' total payload is what the TCP byte counts say was written, less the overhead.
    const big = v.clientToServer.frames.find((f) => f.frame.opcodeName === 'binary')!;
    expect(big.frame.payloadLength).toBe(70000);
    expect(big.wireBytes).toBe(70000 + 2 + 8 + 4); // 2-byte header, 64-bit length, mask key
    // The server's data events saw the same byte count the client wrote (after the head).
    const serverRead = events.filter((e) => e.kind === 'data' && e.actor === 'server').reduce((a, e) => a + (e.kind === 'data' ? e.bytes : 0), 0);
    expect(serverRead).toBeLessThanOrEqual(v.clientToServer.bytes);
    expect(serverRead).toBeGreaterThanOrEqual(v.clientToServer.bytes - v.clientToServer.head!.headLength);

    const pids = spawnedPids(lines);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
    expect(heldSockets(tracePorts(lines))).toEqual([]);
  }, 60_000);

  it('refuses a capture size that cannot hold the binary message', async () => {
    await expect(runExperiment('websocket', { bigBytes: 200_000, captureBytes: 100_000 })).rejects.toThrow(/captureBytes/);
  });

  it('without the big message there is no 64-bit frame, and the observation says so', async () => {
    const { lines } = await runExperiment('websocket', { bigBytes: 0, captureBytes: 1024 }, 20_000);
    const events = lines.filter((l): l is TraceEvent => l.type === 'event');
    const v = wsView(events);
    // Every write fits in 1 KiB: everything decodes; all observations but the 64-bit form hold.
    const obs = finalObservations(lines);
    expect(obs.get('length-forms')).toMatchObject({ held: false, detail: expect.stringMatching(/64-bit: none/) });
    expect(obs.get('accept-key')?.held).toBe(true);
    expect(v.clientToServer.problem).toBeUndefined();
  }, 60_000);
});
