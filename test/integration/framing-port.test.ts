/**
 * `socket-lab run framing --port N`: the decoder listens where an outside program can reach it.
 * This test is that outside program: it sends TLV frames cut into awkward pieces, then a frame of
 * an unknown type, and checks what the server decoded — from the trace file the CLI wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TraceLine } from '../../shared/trace/schema.js';
import { FrameData, FrameErrorData } from '../../shared/stream/framing-view.js';
import { projectRoot } from '../../server/run/paths.js';
import { alive, eventually, spawnedPids } from '../helpers/processes.js';

const BIN = path.join(projectRoot, 'bin', 'socket-lab.js');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function tlv(type: number, value: Uint8Array): Buffer {
  const b = Buffer.alloc(5 + value.length);
  b[0] = type;
  b.writeUInt32BE(value.length, 1);
  b.set(value, 5);
  return b;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('framing --port: an outside client sends frames to the lab\'s decoder', () => {
  it('decodes TLV frames written in pieces, and drops the connection on an unknown type with the reason', async () => {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-framing-'));
    const trace = path.join(dir, 'framing.jsonl');
    const child = spawn(process.execPath, [BIN, 'run', 'framing', '--port', String(port), '--set', 'framing=tlv', '--set', 'count=0',
      '--set', 'slicer=false', '--duration', '6s', '--trace', trace], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((r) => child.on('exit', r));

    expect(await eventually(() => out.includes(`listening on 127.0.0.1:${port}`), 15_000)).toBe(true);
    const sock = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    const myPort = sock.localPort!;
    let reply = '';
    sock.on('data', (d) => { reply += d; });
    const closed = new Promise<void>((r) => sock.on('close', () => r()));

    const text = tlv(1, Buffer.from('hello from outside'));
    const bin = tlv(2, Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    // The first frame in three writes (the header itself split), with pauses so they arrive apart.
    for (const piece of [text.subarray(0, 1), text.subarray(1, 4), text.subarray(4)]) { sock.write(piece); await pause(60); }
    sock.write(bin);
    await pause(60);
    sock.write(tlv(9, Buffer.from('?'))); // type 9 is not in the table: UNKNOWN_TYPE, then the server drops us
    await Promise.race([closed, pause(5000)]);
    expect(reply).toMatch(/^error: UNKNOWN_TYPE: unknown TLV type 9 \(length 1\); closing\n$/);
    sock.destroy();

    expect(await exited).not.toBeNull();
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => TraceLine.parse(JSON.parse(l)));
    const accept = lines.find((l) => l.type === 'event' && l.actor === 'server' && l.kind === 'accept' && l.remote.port === myPort);
    expect(accept).toBeDefined();
    const conn = accept!.type === 'event' && accept!.kind === 'accept' ? accept!.sock : '';
    const reports = (name: string) => lines.flatMap((l) => (l.type === 'event' && l.kind === 'custom' && l.actor === 'server' && l.name === name ? [l.data] : []));
    const frames = reports('frame').map((d) => FrameData.parse(d)).filter((f) => f.conn === conn && f.decoder === 'tlv');
    expect(frames.map((f) => [f.start, f.end, f.hex === undefined ? f.text : `0x${f.hex}`])).toEqual([
      [0, text.length, 'hello from outside'],
      [text.length, text.length + bin.length, '0xdeadbeef'],
    ]);
    // The naive reader took each read as it came: back to back from byte 0, whatever the cuts were.
    const naive = reports('frame').map((d) => FrameData.parse(d)).filter((f) => f.conn === conn && f.decoder === 'naive');
    expect(naive.length).toBeGreaterThan(0);
    naive.forEach((n, i) => expect(n.start).toBe(i === 0 ? 0 : naive[i - 1]!.end));
    const errors = reports('frame-error').map((d) => FrameErrorData.parse(d)).filter((e) => e.conn === conn);
    expect(errors).toEqual([expect.objectContaining({ decoder: 'tlv', code: 'UNKNOWN_TYPE', offset: text.length + bin.length, action: 'stop', reaction: 'drop' })]);
    expect(out).toMatch(/lab +\| server listens on 127\.0\.0\.1:\d+ — connect to it while the run is live/);
    const pids = spawnedPids(lines);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  });
});
