/**
 * The NETLINK_SOCK_DIAG transport, once for every kernel observer (TCP and UDP through inet_diag,
 * inet-diag.ts and udp-diag.ts; Unix sockets through unix_diag, unix-diag.ts):
 *  - `DiagSocket`: the netlink socket and the one dump loop (send a request, read to NLMSG_DONE,
 *    hand every reply message to a handler; on any failure reopen, so the next dump starts clean);
 *  - `DiagDump`: what differs between observers, as a strategy hook. An observer gives the request
 *    forms it can ask with, cheapest first; the first form the kernel answers is kept, a form the
 *    kernel refuses with EINVAL before any answer (an older kernel) gives way to the next one.
 *
 * A dump is generated synchronously by the kernel: the first part during send(), each next part
 * when the previous one is read. So data is always queued and MSG_DONTWAIT never has to wait.
 */
import { C, SyscallError, loadLibc, type Libc } from './libc.js';

// include/uapi/linux/netlink.h, sock_diag.h
export const NLMSG_HDRLEN = 16;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
/** Types below this are netlink's own (NOOP, ERROR, DONE, OVERRUN); a dump's replies are above. */
const NLMSG_MIN_TYPE = 0x10;
export const SOCK_DIAG_BY_FAMILY = 20;
const MSG_TRUNC = 0x20;
/** Reads of one dump before it counts as never ending. */
const MAX_READS = 10_000;

export function requireLibc(): Libc {
  const s = loadLibc();
  if (!s.ok) throw new Error(`unavailable: ${s.reason}`);
  return s.libc;
}

/**
 * A dump request of `bodyLen` bytes after the netlink header: type SOCK_DIAG_BY_FAMILY (or the
 * given one), REQUEST | DUMP. The sequence number is written per send; pid 0 is the kernel.
 */
export function dumpRequest(bodyLen: number, type = SOCK_DIAG_BY_FAMILY): Buffer {
  const b = Buffer.alloc(NLMSG_HDRLEN + bodyLen);
  b.writeUInt32LE(b.length, 0); // nlmsg_len
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  return b;
}

/** The type bits of an attribute's nla_type (the top two are the NESTED and BYTEORDER flags). */
const NLA_TYPE_MASK = 0x3fff;

/**
 * Calls `each(type, at, len)` for every attribute (struct nlattr) in `b` from `from` to `end`,
 * with the attribute's data at `at`, `len` bytes long. Stops at the first malformed one.
 */
export function forEachAttr(b: Buffer, from: number, end: number, each: (type: number, at: number, len: number) => void): void {
  let a = from;
  while (a + 4 <= end) {
    const alen = b.readUInt16LE(a);
    if (alen < 4 || a + alen > end) break;
    each(b.readUInt16LE(a + 2) & NLA_TYPE_MASK, a + 4, alen - 4);
    a += (alen + 3) & ~3;
  }
}

/** A socket's cookie (sock_diag's `__u32 cookie[2]` at `at`, low half first) in hex, as ss -e prints "sk:". */
export function diagCookie(b: Buffer, at: number): string {
  const lo = b.readUInt32LE(at);
  const hi = b.readUInt32LE(at + 4);
  return hi ? hi.toString(16) + lo.toString(16).padStart(8, '0') : lo.toString(16);
}

/** Called with the payload (after the netlink header) of every reply message of a dump. */
export type DiagMessageHandler = (b: Buffer, start: number, end: number) => void;

/** An open NETLINK_SOCK_DIAG socket that runs dumps, one at a time. */
export class DiagSocket {
  private fd: number;
  private seq = 0;
  private rx = Buffer.alloc(64 * 1024);

  /** Throws SyscallError when the netlink socket cannot be opened. */
  constructor(private readonly libc: Libc = requireLibc()) {
    this.fd = this.open();
  }

  private open(): number {
    const fd = this.libc.socket(C.AF_NETLINK, C.SOCK_DGRAM | C.SOCK_CLOEXEC, C.NETLINK_SOCK_DIAG);
    if (fd < 0) throw new SyscallError('socket(AF_NETLINK, NETLINK_SOCK_DIAG)', this.libc.errno());
    return fd;
  }

  close(): void {
    if (this.fd >= 0) this.libc.close(this.fd);
    this.fd = -1;
  }

  /**
   * Sends `req` and reads the whole dump, calling `each` for every reply message. On any failure
   * (the handler's too) the socket is reopened, so no half-read dump is left for the next one.
   */
  dump(req: Buffer, each: DiagMessageHandler): void {
    if (this.fd < 0) throw new Error('sock_diag: closed');
    try {
      this.run(req, each);
    } catch (e) {
      this.close();
      this.fd = this.open();
      throw e;
    }
  }

  private run(req: Buffer, each: DiagMessageHandler): void {
    const seq = (this.seq = (this.seq + 1) >>> 0);
    req.writeUInt32LE(seq, 8);
    const sent = this.libc.send(this.fd, req, req.length, 0);
    if (sent !== req.length) throw new SyscallError('send(sock_diag)', sent < 0 ? this.libc.errno() : 0, sent < 0 ? undefined : 'short write');
    for (let reads = 0; reads < MAX_READS; reads++) {
      const n = this.libc.recv(this.fd, this.rx, this.rx.length, C.MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) throw new SyscallError('recv(sock_diag)', this.libc.errno());
      if (n > this.rx.length) {
        this.rx = Buffer.alloc(n * 2);
        throw new Error(`sock_diag: reply of ${n} bytes truncated; buffer grown for the next sample`);
      }
      if (this.messages(n, seq, each)) return;
    }
    throw new Error('sock_diag: dump did not end');
  }

  /** The messages of one datagram of `n` bytes; true once NLMSG_DONE is seen. */
  private messages(n: number, seq: number, each: DiagMessageHandler): boolean {
    const b = this.rx;
    let off = 0;
    while (off + NLMSG_HDRLEN <= n) {
      const len = b.readUInt32LE(off);
      const type = b.readUInt16LE(off + 4);
      if (len < NLMSG_HDRLEN || off + len > n) throw new Error(`sock_diag: malformed message (len ${len})`);
      if (b.readUInt32LE(off + 8) === seq) {
        if (type === NLMSG_DONE) return true;
        if (type === NLMSG_ERROR) {
          const err = -b.readInt32LE(off + NLMSG_HDRLEN);
          if (err !== 0) throw new SyscallError('sock_diag', err);
        } else if (type >= NLMSG_MIN_TYPE) {
          // A reply carries its request's type (SOCK_DIAG_BY_FAMILY, or TCPDIAG_GETSOCK).
          each(b, off + NLMSG_HDRLEN, off + len);
        }
      }
      off += (len + 3) & ~3;
    }
    return false;
  }
}

/** One way of asking for a dump: the request(s) for the run's ports (sorted), all dumped in turn. */
export interface DumpStrategy {
  readonly name: string;
  requests(ports: readonly number[]): Buffer[];
}

/**
 * Dumps in the first of `strategies` this kernel answers. Requests are built once per port set.
 * A strategy is proven by its first answer; until then an EINVAL (a request form or filter this
 * kernel does not know) moves on to the next strategy and the dump is asked again.
 */
export class DiagDump {
  private readonly socket: DiagSocket;
  private index = 0;
  private proven = false;
  private built: { key: string; requests: Buffer[] } | undefined;

  /** Throws when the netlink socket cannot be opened; `strategy` starts further down the list. */
  constructor(private readonly strategies: readonly DumpStrategy[], libc?: Libc, strategy?: string) {
    if (strategies.length === 0) throw new RangeError('sock_diag: no request strategy');
    if (strategy !== undefined) {
      this.index = strategies.findIndex((s) => s.name === strategy);
      if (this.index < 0) throw new RangeError(`unknown sock_diag strategy ${strategy}`);
    }
    this.socket = new DiagSocket(libc);
  }

  /** The strategy in use. */
  get strategy(): string {
    return this.strategies[this.index]!.name;
  }

  close(): void {
    this.socket.close();
  }

  /**
   * Every request of the strategy in use for `ports`, dumped; `read` turns a reply message into
   * an item or leaves it out (undefined). The items of the attempt that succeeded, in dump order.
   */
  collect<T>(ports: ReadonlySet<number>, read: (b: Buffer, start: number, end: number) => T | undefined): T[] {
    const out: T[] = [];
    try {
      for (const req of this.requestsFor(ports)) {
        this.socket.dump(req, (b, start, end) => {
          const item = read(b, start, end);
          if (item !== undefined) out.push(item);
        });
      }
      this.proven = true;
    } catch (e) {
      if (!this.proven && e instanceof SyscallError && e.code === 'EINVAL' && this.index < this.strategies.length - 1) {
        this.index++;
        this.built = undefined;
        return this.collect(ports, read);
      }
      throw e;
    }
    return out;
  }

  private requestsFor(ports: ReadonlySet<number>): Buffer[] {
    const list = [...ports].sort((a, b) => a - b);
    const key = list.join(',');
    if (this.built?.key !== key) this.built = { key, requests: this.strategies[this.index]!.requests(list) };
    return this.built.requests;
  }
}
