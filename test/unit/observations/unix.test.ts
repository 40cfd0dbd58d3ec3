/**
 * unix observations on hand-made traces shaped like a real run: the leftover story in order, the
 * socket file, the abstract name, and unix_diag samples of the path connection (reader and writer,
 * by inode).
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/unix/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { ev, judge } from '../../helpers/hand-trace.js';

const PATH = '/tmp/socket-lab-1-unix-x/lab.sock';
const NAME = 'socket-lab-ab12';
const u = (address: string) => ({ address, port: 0, family: 'unix' as const });
const READER = 200;
const WRITER = 201;
const skmem = (o: { rcvbuf?: number; sndbuf?: number; drops?: number }) => ({ rmemAlloc: 0, rcvbuf: o.rcvbuf ?? 212992, wmemAlloc: 0, sndbuf: o.sndbuf ?? 212992, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops: o.drops ?? 0 });
/** Both ends of the path connection in one unix_diag dump. */
const look = (t: number, recvQ: number, sendQ: number, o: { rcvbuf?: number; sndbuf?: number; drops?: number } = {}) => [
  ev({ t, actor: 'kernel', kind: 'sample', proto: 'unix', key: `unix:${READER}`, local: u(PATH), remote: u(''), state: 'ESTABLISHED', inode: READER, peerInode: WRITER, recvQ, sendQ: 0, skmem: skmem({ rcvbuf: o.rcvbuf ?? 8192, drops: o.drops ?? 0 }) }),
  ev({ t, actor: 'kernel', kind: 'sample', proto: 'unix', key: `unix:${WRITER}`, local: u(''), remote: u(''), state: 'ESTABLISHED', inode: WRITER, peerInode: READER, recvQ: 0, sendQ, skmem: skmem({ sndbuf: o.sndbuf ?? 65536 }) }),
];

interface Opts { leftover?: boolean; noEaddrinuse?: boolean; isSocket?: boolean; fileInDir?: boolean; samples?: TraceEvent[]; writeFalseAt?: number | null; drainAt?: number }
function run(o: Opts = {}): TraceEvent[] {
  const e: TraceEvent[] = [];
  if (o.leftover !== false) {
    e.push(ev({ t: 250, actor: 'old-server', kind: 'listen', sock: 'L1', local: u(PATH), inode: 100 }), ev({ t: 330, actor: 'old-server', kind: 'exit', pid: 1, code: 0, signal: null }));
    if (!o.noEaddrinuse) e.push(ev({ t: 495, actor: 'server', kind: 'error', sock: 'L1', code: 'EADDRINUSE', message: 'listen EADDRINUSE' }), ev({ t: 503, actor: 'server', kind: 'error', sock: 'c3', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
      ev({ t: 503.5, actor: 'server', kind: 'custom', name: 'unlink', data: { path: PATH, reason: 'leftover socket file' } }));
  }
  e.push(ev({ t: 504, actor: 'server', kind: 'listen', sock: 'L1', local: u(PATH), inode: 150 }),
    ev({ t: 504.3, actor: 'server', kind: 'custom', name: 'socket-file', data: { path: PATH, mode: o.isSocket === false ? '-rw-r--r--' : 'srwxr-xr-x', isSocket: o.isSocket !== false, uid: 0, gid: 0, fileInode: 9000, socketInode: 150, umask: '0022' } }),
    ev({ t: 507, actor: 'kernel', kind: 'sample', proto: 'unix', key: 'unix:151', local: u(`@${NAME}` + '@'.repeat(20)), remote: u(''), state: 'LISTEN', inode: 151 }),
    ev({ t: 509, actor: 'server', kind: 'listen', sock: 'L2', local: u(`\0${NAME}`), inode: 151 }),
    ev({ t: 509.5, actor: 'server', kind: 'custom', name: 'dir-listing', data: { dir: '/tmp/socket-lab-1-unix-x', entries: o.fileInDir ? ['lab.sock', NAME] : ['lab.sock'], abstractName: NAME } }),
    ev({ t: 709, actor: 'server', kind: 'accept', sock: 's5', local: u(PATH), remote: u(''), listener: 'L1', inode: READER }),
    ev({ t: 718, actor: 'client', kind: 'connect', sock: 'c2', local: u(''), remote: u(PATH), inode: WRITER }),
    ev({ t: 742, actor: 'server', kind: 'sockopt', sock: 's5', option: 'SO_RCVBUF', requested: 4096, effective: 8192 }),
    ev({ t: 739, actor: 'client', kind: 'sockopt', sock: 'c2', option: 'SO_SNDBUF', requested: 32768, effective: 65536 }));
  e.push(...(o.samples ?? [...look(745, 0, 0), ...look(804, 678, 66048), ...look(1805, 0, 0)]));
  const wf = o.writeFalseAt === undefined ? 813 : o.writeFalseAt;
  if (wf !== null) e.push(ev({ t: wf, actor: 'client', kind: 'write', sock: 'c2', bytes: 10, ok: false, queued: 16390 }), ev({ t: o.drainAt ?? 1797, actor: 'client', kind: 'drain', sock: 'c2', waitedMs: 984 }));
  return e.sort((a, b) => a.t - b.t);
}

describe('unix: socket-file', () => {
  it('holds for a socket file stat()ed right after listen(), naming the listener', () => {
    const r = judge(exp, 'socket-file', run());
    expect(r.result).toBe('held');
    expect(r.detail).toBe(`${PATH}: srwxr-xr-x, uid 0, umask 0022; file inode 9000, socket inode 150 (stat() right after listen(), whose socket it names)`);
  });
  it('fails when the file is not a socket', () => {
    const r = judge(exp, 'socket-file', run({ isSocket: false }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/-rw-r--r--.*: not a socket file/);
  });
  it('is not reached before the server listened', () => {
    expect(judge(exp, 'socket-file', run().filter((e) => e.t < 504)).result).toBe('not-reached');
  });
});

describe('unix: leftover', () => {
  it('holds for the steps in order', () => {
    const r = judge(exp, 'leftover', run());
    expect(r.result).toBe('held');
    expect(r.detail).toBe('crashed server listened: 0.25 s; EADDRINUSE: 0.49 s; probe refused: 0.50 s; unlinked: 0.50 s; listening again: 0.50 s; the crashed server\'s exit seen at 0.33 s');
  });
  it('fails when the server listened although no EADDRINUSE came first', () => {
    const r = judge(exp, 'leftover', run({ noEaddrinuse: true }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/listening again without EADDRINUSE/);
  });
  it('fails when the steps came in another order', () => {
    const evs = run().map((e) => (e.kind === 'custom' && e.name === 'unlink' ? { ...e, t: 499 } : e)).sort((a, b) => a.t - b.t);
    const r = judge(exp, 'leftover', evs);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/not in that order/);
  });
  it('is not reached with the leftover off, or before the steps are done', () => {
    const r = judge(exp, 'leftover', run({ leftover: false }), { leftover: false });
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/leftover.*off/);
    expect(judge(exp, 'leftover', run().filter((e) => e.t < 500)).result).toBe('not-reached');
  });
});

describe('unix: abstract', () => {
  it('holds: unix_diag names the listener, and no file has the name', () => {
    const r = judge(exp, 'abstract', run());
    expect(r.result).toBe('held');
    expect(r.detail).toBe(`the kernel lists socket inode 151 as "@${NAME}" followed by 20 NUL bytes (Node binds the whole sun_path); the run's directory holds lab.sock`);
  });
  it('fails when a file has its name', () => {
    const r = judge(exp, 'abstract', run({ fileInDir: true }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/"socket-lab-ab12" is a file with its name/);
  });
  it('is not reached without the kernel\'s samples', () => {
    const r = judge(exp, 'abstract', run().filter((e) => e.kind !== 'sample'));
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/not seen by unix_diag/);
  });
});

describe('unix: queue-fills', () => {
  it('holds: write() false while the kernel shows the writer\'s send buffer used up by the reader\'s queue', () => {
    const r = judge(exp, 'queue-fills', run());
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/write\(\) returned false at 0\.81 s, 'drain' at 1\.80 s; meanwhile the kernel showed 678 B waiting for the reader in 66,048 B of the writer's 65,536 B sndbuf/);
  });
  it('fails when write() pushed back while the send buffer was far from full', () => {
    const r = judge(exp, 'queue-fills', run({ samples: [...look(745, 0, 0), ...look(804, 100, 9000), ...look(1805, 0, 0), ...look(3000, 678, 66048)] }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/never showed the writer's send buffer used up then \(at most 9,000 B\); it was full at 3\.00 s/);
  });
  it('is not reached without samples, or before write() pushed back', () => {
    expect(judge(exp, 'queue-fills', run({ samples: [] })).result).toBe('not-reached');
    const r = judge(exp, 'queue-fills', run({ writeFalseAt: null }));
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/write\(\) has not returned false yet/);
  });
});

describe('unix: rcvbuf-unused', () => {
  it('holds: the memory waiting for the reader grew past the rcvbuf it set, nothing dropped', () => {
    const r = judge(exp, 'rcvbuf-unused', run());
    expect(r.result).toBe('held');
    expect(r.detail).toBe('at 0.80 s the reader\'s queue held 678 B of data in 66,048 B of memory (charged to the writer), more than the 8,192 B SO_RCVBUF it set (asked 4,096 B); the reader\'s socket dropped nothing and the writer got no error');
  });
  it('fails when the writer was held back with no more than the rcvbuf waiting', () => {
    const big = { rcvbuf: 131072, sndbuf: 425984 };
    const r = judge(exp, 'rcvbuf-unused', run({ samples: [...look(745, 0, 0, big), ...look(804, 6780, 131000, big), ...look(1805, 0, 0, big)] }).filter((e) => e.kind !== 'sockopt' || e.actor !== 'server'));
    expect(r.result).toBe('failed');
    expect(r.detail).toBe('the writer\'s write() returned false at 0.81 s with at most 131,000 B waiting for the reader (its sndbuf: 425,984 B): never more than its SO_RCVBUF of 131,072 B (not set: the default)');
  });
  it('fails when something was dropped', () => {
    const r = judge(exp, 'rcvbuf-unused', run({ samples: [...look(745, 0, 0), ...look(804, 678, 66048, { drops: 3 })] }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/dropped 3/);
  });
  it('is not reached when the writer\'s sndbuf is below the reader\'s rcvbuf, or without samples', () => {
    const r = judge(exp, 'rcvbuf-unused', run({ samples: [...look(745, 0, 0, { rcvbuf: 8192, sndbuf: 4096 }), ...look(804, 678, 4000, { rcvbuf: 8192, sndbuf: 4096 })] }));
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/this run cannot show it/);
    expect(judge(exp, 'rcvbuf-unused', run({ samples: [] })).result).toBe('not-reached');
  });
});
