/**
 * The kernel's view of a run's UDP sockets: NETLINK_SOCK_DIAG with IPPROTO_UDP (udp_diag), the
 * same interface `ss -uam` asks. It is an ObserverMethod, so the kernel observer's Sampler runs it
 * unchanged and writes `sample` events (with proto "udp").
 *
 * What matters for UDP is in sk_meminfo: `drops` (SK_MEMINFO_DROPS) counts datagrams the kernel
 * threw away because the socket's receive buffer was full; the sender is never told. Note that for
 * UDP the kernel reports Recv-Q / Send-Q as memory (sk_rmem_alloc / sk_wmem_alloc, each datagram
 * with its skb overhead), not payload bytes: ss prints the same numbers.
 *
 * Fallback without sock_diag: /proc/net/udp has the same drops per socket (last column), and
 * /proc/net/snmp the system-wide UDP counters (udp-counters.ts reads those).
 */
import { C } from './libc.js';
import { parseDiagMsg, portFilterBytecode, type KernelSocket, type ObserverMethod } from './observer.js';
import { DiagSocket, NLMSG_HDRLEN, diagRequest } from './netlink-dump.js';

const IPPROTO_UDP = 17;
const INET_DIAG_REQ_V2_LEN = 56;
const INET_DIAG_MSG_LEN = 72;
const INET_DIAG_REQ_BYTECODE = 1;
const INET_DIAG_SKMEMINFO = 7;
const ALL_STATES = 0xffffffff;
/** Above this many ports the filter runs in JS (bytecode jumps are 16-bit). */
const MAX_BYTECODE_PORTS = 1000;

/** SOCK_DIAG_BY_FAMILY + inet_diag_req_v2 for UDP sockets of one family, with sk_meminfo. */
export function udpRequest(family: number, ports: readonly number[]): Buffer {
  const bc = ports.length > 0 && ports.length <= MAX_BYTECODE_PORTS ? portFilterBytecode(ports) : undefined;
  const b = diagRequest(INET_DIAG_REQ_V2_LEN + (bc ? 4 + bc.length : 0));
  const r = NLMSG_HDRLEN;
  b.writeUInt8(family, r); // sdiag_family
  b.writeUInt8(IPPROTO_UDP, r + 1); // sdiag_protocol
  b.writeUInt8(1 << (INET_DIAG_SKMEMINFO - 1), r + 2); // idiag_ext
  b.writeUInt32LE(ALL_STATES >>> 0, r + 4); // idiag_states
  if (bc) {
    const a = r + INET_DIAG_REQ_V2_LEN;
    b.writeUInt16LE(4 + bc.length, a);
    b.writeUInt16LE(INET_DIAG_REQ_BYTECODE, a + 2);
    bc.copy(b, a + 4);
  }
  return b;
}

export class UdpDiagMethod implements ObserverMethod {
  readonly name = 'sock_diag' as const;
  private readonly sock: DiagSocket;
  private requests: { key: string; bufs: Buffer[] } | undefined;

  /** Throws when NETLINK_SOCK_DIAG cannot be opened (not Linux, no koffi). */
  constructor(sock?: DiagSocket) {
    this.sock = sock ?? new DiagSocket();
  }

  timerPrecisionMs(): number {
    return 10; // UDP sockets have no timers; the Sampler asks anyway.
  }

  close(): void {
    this.sock.close();
  }

  query(ports: ReadonlySet<number>): Promise<KernelSocket[]> {
    try {
      return Promise.resolve(this.querySync(ports));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Every UDP socket (IPv4 and IPv6) whose local or remote port is in `ports`. */
  querySync(ports: ReadonlySet<number>): KernelSocket[] {
    const out: KernelSocket[] = [];
    if (ports.size === 0) return out;
    const list = [...ports].sort((a, b) => a - b);
    const key = list.join(',');
    if (this.requests?.key !== key) this.requests = { key, bufs: [C.AF_INET, C.AF_INET6].map((f) => udpRequest(f, list)) };
    for (const req of this.requests.bufs) {
      this.sock.dump(req, (b, start, end) => {
        if (end - start < INET_DIAG_MSG_LEN) return;
        const s = parseDiagMsg(b, start, end);
        if (!ports.has(s.local.port) && !ports.has(s.remote.port)) return;
        // parseDiagMsg reads TCP's meaning into a few fields; UDP has no listener and no timers.
        delete s.acceptQ;
        delete s.acceptMax;
        delete s.timer;
        // Prefixed: a TCP listener on the same address and port would otherwise have the same key.
        out.push({ ...s, key: `udp:${s.key}`, proto: 'udp' });
      });
    }
    return out;
  }
}
