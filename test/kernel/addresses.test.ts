/**
 * One IPv6 text and one socket key across the kernel observer: what inet_diag replies parse to,
 * what ss lines parse to, what ownership matches actor reports by, and what the browser's kernel
 * view keys by must be the same strings, and the IPv6 text must be Node's (inet_ntop), since the
 * actors report Node's. Also the one netlink dump loop with its strategy hook, against a fake
 * libc: a refused request form gives way to the next, and the socket is reopened after a failure.
 */
import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { C, errnoName, type Libc } from '../../server/kernel/libc.js';
import { INET_DIAG_MSG_LEN, parseInetDiagMsg, TcpDiagMethod } from '../../server/kernel/inet-diag.js';
import { parseSsLine } from '../../server/kernel/ss-fallback.js';
import { UdpDiagMethod } from '../../server/kernel/udp-diag.js';
import { ProcessOwnership } from '../../server/kernel/ownership.js';
import type { KernelSocket } from '../../server/kernel/method.js';
import { formatIpv6 } from '../../shared/net/parse-ip.js';
import { socketKey } from '../../shared/trace/kernel-view.js';

/** inet_pton + inet_ntop through Node (libuv): the text actors report. */
const ntop = (a: string) => new net.SocketAddress({ address: a, family: 'ipv6' }).address;
const hex = (s: string) => Buffer.from(s.replace(/:/g, ''), 'hex');

/** A struct inet_diag_msg (no attributes) for a socket between two addresses of one family. */
function diagMsg(family: number, local: Buffer, lport: number, remote: Buffer, rport: number, state = 1): Buffer {
  const b = Buffer.alloc(INET_DIAG_MSG_LEN);
  b[0] = family;
  b[1] = state;
  b.writeUInt16BE(lport, 4);
  b.writeUInt16BE(rport, 6);
  local.copy(b, 8);
  remote.copy(b, 24);
  b.writeUInt32LE(0x1234, 44); // cookie
  return b;
}

const parse = (b: Buffer) => parseInetDiagMsg(b, 0, b.length);

describe('IPv6 text (one formatter: shared/net/parse-ip.ts formatIpv6)', () => {
  it('writes what inet_ntop (and so Node) writes: lowercase, longest zero run as "::", ::ffff:a.b.c.d', () => {
    const cases: Array<[string, string]> = [
      ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
      ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
      ['0000:0000:0000:0000:0000:ffff:7f00:0001', '::ffff:127.0.0.1'],
      ['fe80:0000:0000:0000:0000:0000:0000:0001', 'fe80::1'],
      ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // first of two equal runs
      ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'], // one zero group stays
      ['2001:0DB8:ABCD:0000:0000:0000:0000:0001', '2001:db8:abcd::1'],
      ['0000:0000:0000:0000:0000:0000:7f00:0001', '::127.0.0.1'], // deprecated IPv4-compatible: as inet_ntop
    ];
    for (const [bytes, text] of cases) {
      const s = parse(diagMsg(C.AF_INET6, hex(bytes), 7878, hex(bytes), 0));
      expect(s.local.address, bytes).toBe(text);
      expect(s.local.address, bytes).toBe(ntop(bytes));
      expect(s.local.family).toBe('IPv6');
    }
  });

  it('agrees with Node for any 16 bytes (zero runs and the mapped prefix made likely)', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
      const bytes = Buffer.alloc(16);
      groups.forEach((g, i) => bytes.writeUInt16BE(g, 2 * i));
      const text = groups.map((g) => g.toString(16)).join(':');
      const s = parse(diagMsg(C.AF_INET6, bytes, 1, bytes, 2));
      expect(s.local.address).toBe(ntop(text));
      expect(s.local.address).toBe(formatIpv6([...bytes]));
    }), { numRuns: 500 });
  });

  it('writes IPv4 dotted, family IPv4', () => {
    const s = parse(diagMsg(C.AF_INET, Buffer.from([127, 0, 0, 1]), 41000, Buffer.from([10, 1, 2, 254]), 80));
    expect(s.local).toEqual({ address: '127.0.0.1', port: 41000, family: 'IPv4' });
    expect(s.remote).toEqual({ address: '10.1.2.254', port: 80, family: 'IPv4' });
  });
});

describe('socket key (one helper: shared/trace/kernel-view.ts socketKey)', () => {
  const pairs: Array<[{ address: string; port: number }, { address: string; port: number }, string]> = [
    [{ address: '127.0.0.1', port: 41000 }, { address: '127.0.0.1', port: 7878 }, '127.0.0.1:41000>127.0.0.1:7878'],
    [{ address: '::1', port: 41000 }, { address: '::1', port: 7878 }, '[::1]:41000>[::1]:7878'],
    [{ address: '::ffff:127.0.0.1', port: 7878 }, { address: '::ffff:127.0.0.1', port: 41000 }, '[::ffff:127.0.0.1]:7878>[::ffff:127.0.0.1]:41000'],
    [{ address: '::', port: 7878 }, { address: '::', port: 0 }, '[::]:7878>[::]:0'],
  ];

  it('is local>remote with IPv6 in brackets', () => {
    for (const [l, r, key] of pairs) expect(socketKey(l, r)).toBe(key);
  });

  it('is the key sock_diag and ss give the same socket', () => {
    const v6 = (a: string) => (a === '::' ? Buffer.alloc(16) : a === '::1' ? hex('0000:0000:0000:0000:0000:0000:0000:0001') : hex('0000:0000:0000:0000:0000:ffff:7f00:0001'));
    for (const [l, r, key] of pairs) {
      const family = l.address.includes(':') ? C.AF_INET6 : C.AF_INET;
      const bytes = (a: string) => (family === C.AF_INET ? Buffer.from(a.split('.').map(Number)) : v6(a));
      expect(parse(diagMsg(family, bytes(l.address), l.port, bytes(r.address), r.port)).key).toBe(key);
      const ssEnd = (a: { address: string; port: number }) => (a.address.includes(':') ? `[${a.address}]:${a.port || '*'}` : `${a.address}:${a.port || '*'}`);
      expect(parseSsLine(`ESTAB 0 0 ${ssEnd(l)} ${ssEnd(r)}`)?.key).toBe(key);
    }
  });

  it('is the key ownership matches an actor\'s reported connection by (a socket nobody holds, e.g. TIME_WAIT)', () => {
    for (const [l, r, key] of pairs) {
      if (r.port === 0) continue;
      const owner = new ProcessOwnership({ pids: () => [], socketInodes: () => [] });
      const tw: KernelSocket = { key, cookie: 'c1', local: l, remote: r, state: 'TIME_WAIT' };
      expect(owner.select([tw])).toEqual([]); // not known yet: left out
      owner.addConnection(l, r);
      expect(owner.select([{ ...tw, cookie: 'c2' }]).map((s) => s.key)).toEqual([key]);
    }
  });
});

/**
 * A fake NETLINK_SOCK_DIAG: answers a request of a type in `refuse` with NLMSG_ERROR -errno,
 * anything else with the given inet_diag messages (each in its own datagram), then NLMSG_DONE.
 */
function fakeNetlink(messages: Buffer[], refuse: Map<number, number>) {
  const log = { opened: 0, closed: 0, requests: [] as Array<{ type: number; len: number }> };
  let queue: Buffer[] = [];
  const nl = (type: number, seq: number, payload: Buffer) => {
    const b = Buffer.alloc(16 + payload.length);
    b.writeUInt32LE(b.length, 0);
    b.writeUInt16LE(type, 4);
    b.writeUInt32LE(seq, 8);
    payload.copy(b, 16);
    return b;
  };
  const libc: Libc = {
    socket: () => (log.opened++, 100 + log.opened),
    close: () => (log.closed++, 0),
    setsockopt: () => -1,
    getsockopt: () => -1,
    ioctlInt: () => -1,
    send: (_fd, buf, len) => {
      const type = buf.readUInt16LE(4);
      const seq = buf.readUInt32LE(8);
      log.requests.push({ type, len });
      const errno = refuse.get(type);
      if (errno !== undefined) {
        const e = Buffer.alloc(4);
        e.writeInt32LE(-errno, 0);
        queue = [nl(2, seq, e)];
      } else queue = [...messages.map((m) => nl(type, seq, m)), nl(3, seq, Buffer.alloc(4))];
      return len;
    },
    recv: (_fd, buf) => {
      const next = queue.shift();
      if (!next) return -1;
      next.copy(buf);
      return next.length;
    },
    errno: () => 11, // EAGAIN
  };
  return { libc, log };
}

const EINVAL = 22;
const lo = Buffer.from([127, 0, 0, 1]);

// The fallback is on the errno's name, which koffi supplies.
describe.skipIf(errnoName(EINVAL) !== 'EINVAL')('the one netlink dump loop and its strategy hook (fake libc)', () => {
  it('TCP: a refused request form (EINVAL) gives way to the next, on a reopened socket, and that one is kept', () => {
    const msgs = [diagMsg(C.AF_INET, lo, 7878, lo, 41000), diagMsg(C.AF_INET, lo, 9999, lo, 41001)];
    const { libc, log } = fakeNetlink(msgs, new Map([[18 /* TCPDIAG_GETSOCK */, EINVAL]]));
    const m = new TcpDiagMethod(libc);
    expect(m.strategy).toBe('tcpdiag-unspec+bytecode');
    const got = m.querySync(new Set([7878]));
    expect(m.strategy).toBe('v2-per-family+bytecode');
    // Two families, each answered with both messages; 9999 is filtered out in JS as well.
    expect(got.map((s) => s.key)).toEqual(['127.0.0.1:7878>127.0.0.1:41000', '127.0.0.1:7878>127.0.0.1:41000']);
    expect(log.opened).toBe(2);
    expect(log.closed).toBe(1);
    expect(log.requests.map((r) => r.type)).toEqual([18, 20, 20]);
    m.querySync(new Set([7878]));
    expect(log.requests.map((r) => r.type)).toEqual([18, 20, 20, 20, 20]);
    m.close();
  });

  it('an error after the form was proven is the sample\'s error, not a reason to change forms', () => {
    const refuse = new Map<number, number>();
    const { libc } = fakeNetlink([diagMsg(C.AF_INET, lo, 7878, lo, 41000)], refuse);
    const m = new TcpDiagMethod(libc);
    expect(m.querySync(new Set([7878]))).toHaveLength(1);
    refuse.set(18, EINVAL);
    expect(() => m.querySync(new Set([7878]))).toThrow(/EINVAL|errno 22/);
    expect(m.strategy).toBe('tcpdiag-unspec+bytecode');
  });

  it('UDP uses the same loop and falls back from the bytecode filter to filtering in JS', () => {
    const bytecodeRefused = new Map<number, number>([[20, EINVAL]]);
    const { libc, log } = fakeNetlink([diagMsg(C.AF_INET, lo, 5353, lo, 0), diagMsg(C.AF_INET, lo, 6000, lo, 0)], bytecodeRefused);
    // The fake refuses by type only: let the second form (no bytecode, shorter) through.
    const send = libc.send;
    libc.send = (fd, buf, len, flags) => {
      if (len === 16 + 56) bytecodeRefused.clear();
      return send(fd, buf, len, flags);
    };
    const m = new UdpDiagMethod(libc);
    const got = m.querySync(new Set([5353]));
    expect(m.strategy).toBe('v2-per-family');
    expect(got.map((s) => [s.key, s.proto])).toEqual([['udp:127.0.0.1:5353>127.0.0.1:0', 'udp'], ['udp:127.0.0.1:5353>127.0.0.1:0', 'udp']]);
    expect(log.requests[0]!.len).toBeGreaterThan(16 + 56); // the first asked with bytecode
    m.close();
  });
});
