/**
 * The kernel's view of a run's UDP sockets: NETLINK_SOCK_DIAG with IPPROTO_UDP (udp_diag), the
 * same interface `ss -uam` asks: the inet_diag method (inet-diag.ts) with UDP's request and shape, so
 * the kernel observer's Sampler runs it unchanged and writes `sample` events (with proto "udp").
 *
 * What matters for UDP is in sk_meminfo: `drops` (SK_MEMINFO_DROPS) counts datagrams the kernel
 * threw away because the socket's receive buffer was full; the sender is never told. Note that for
 * UDP the kernel reports Recv-Q / Send-Q as memory (sk_rmem_alloc / sk_wmem_alloc, each datagram
 * with its skb overhead), not payload bytes: ss prints the same numbers.
 *
 * Fallback without sock_diag: /proc/net/udp has the same drops per socket (last column), and
 * /proc/net/snmp the system-wide UDP counters (udp-counters.ts reads those).
 */
import type { Libc } from './libc.js';
import { INET_DIAG_SKMEMINFO, INET_FAMILIES, InetDiagMethod, inetDiagRequest, portFilterFor, type InetDiagProtocol } from './inet-diag.js';
import { requireLibc } from './netlink.js';

const IPPROTO_UDP = 17;
/** UDP sockets have no tcp_info: only sk_meminfo is asked for. */
const UDP_DIAG_EXT = 1 << (INET_DIAG_SKMEMINFO - 1);

/** SOCK_DIAG_BY_FAMILY + inet_diag_req_v2 for UDP sockets of one family, with sk_meminfo. */
export function udpRequest(family: number, ports: readonly number[]): Buffer {
  return inetDiagRequest(family, IPPROTO_UDP, UDP_DIAG_EXT, portFilterFor(ports));
}

const UDP: InetDiagProtocol = {
  strategies: [
    { name: 'v2-per-family+bytecode', requests: (ports) => INET_FAMILIES.map((f) => udpRequest(f, ports)) },
    // A kernel without the S_EQ / D_EQ ops (before 5.10) refuses the filter: filter in JS.
    { name: 'v2-per-family', requests: () => INET_FAMILIES.map((f) => udpRequest(f, [])) },
  ],
  shape: (s) => {
    // parseInetDiagMsg reads TCP's meaning into a few fields; UDP has no listener and no timers.
    delete s.acceptQ;
    delete s.acceptMax;
    delete s.timer;
    // Prefixed: a TCP listener on the same address and port would otherwise have the same key.
    return { ...s, key: `udp:${s.key}`, proto: 'udp' };
  },
};

/** Every UDP socket (IPv4 and IPv6) whose local or remote port is in the run's ports. */
export class UdpDiagMethod extends InetDiagMethod {
  /** Throws when NETLINK_SOCK_DIAG cannot be opened (not Linux, no koffi). */
  constructor(libc: Libc = requireLibc()) {
    super(UDP, libc);
  }
}
