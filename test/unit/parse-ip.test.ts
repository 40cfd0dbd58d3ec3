import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv6, hexBytes, parseIp } from '../../shared/net/parse-ip.js';

/** inet_pton + inet_ntop through Node (libuv), an implementation independent of ours. */
const ntop = (a: string) => new net.SocketAddress({ address: a, family: 'ipv6' }).address;

describe('parseIp (Go net.ParseIP semantics)', () => {
  it('gives IPv4 the 16-byte IPv4-mapped form, and To4 the 4 bytes', () => {
    const r = parseIp('127.0.0.1');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kind).toBe('IPv4');
    expect(hexBytes(r.bytes16)).toBe('00 00 00 00 00 00 00 00 00 00 ff ff 7f 00 00 01');
    expect(r.bytes4).toEqual([127, 0, 0, 1]);
    expect(r.ranges[0]).toMatch(/loopback/);
  });

  it('prints IPv4-mapped IPv6 as dotted decimal like Go, and as ::ffff:… like inet_ntop', () => {
    const r = parseIp('::FFFF:10.1.2.3');
    expect(r.ok && r.kind).toBe('IPv4-mapped IPv6');
    if (!r.ok) return;
    expect(r.goString).toBe('10.1.2.3');
    expect(r.ntopString).toBe('::ffff:10.1.2.3');
    expect(r.bytes16).toEqual(parseIp('10.1.2.3').ok ? (parseIp('10.1.2.3') as { bytes16: number[] }).bytes16 : []);
  });

  it('parses IPv6 with "::" and an embedded IPv4 tail', () => {
    const r = parseIp('2001:db8::1');
    expect(r.ok && hexBytes(r.bytes16)).toBe('20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01');
    expect(r.ok && r.bytes4).toBeUndefined();
    const t = parseIp('64:ff9b::192.0.2.33');
    expect(t.ok && t.bytes16.slice(12)).toEqual([192, 0, 2, 33]);
    expect(parseIp('::1').ok && (parseIp('::1') as { ranges: string[] }).ranges[0]).toMatch(/loopback/);
  });

  it.each([
    ['', /empty/],
    ['1.2.3', /4 dot-separated/],
    ['1.2.3.256', /more than 255/],
    ['010.0.0.1', /leading zero/],
    ['1::2::3', /only once/],
    ['fe80::1%eth0', /zones/],
    ['1:2:3:4:5:6:7', /8 groups/],
    ['1:2:3:4:5:6:7::8', /at least one group/],
    ['12345::', /1 to 4 hex/],
    ['1.2.3.4:80', /not a group|embedded/],
    ['localhost', /4 dot-separated/],
  ])('refuses %j with a reason', (input, reason) => {
    const r = parseIp(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('agrees with Node (inet_pton/inet_ntop) on validity and text for any 16 bytes written out in full or compressed', () => {
    const bytes = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), { minLength: 16, maxLength: 16 });
    fc.assert(fc.property(bytes, fc.boolean(), (b, full) => {
      const groups = Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16));
      const text = full ? groups.join(':') : formatIpv6(b);
      expect(net.isIPv6(text)).toBe(true);
      const r = parseIp(text);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.bytes16).toEqual(b);
      expect(r.ntopString).toBe(ntop(text));
    }), { numRuns: 300 });
  });

  it('agrees with Node on which dotted quads are IPv4 addresses', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('01', '00', '1a', '', '-1'));
    fc.assert(fc.property(fc.array(part, { minLength: 3, maxLength: 5 }), (parts) => {
      const text = parts.join('.');
      expect(parseIp(text).ok).toBe(net.isIPv4(text));
    }), { numRuns: 300 });
  });
});
