/**
 * One NETLINK_SOCK_DIAG dump, request to NLMSG_DONE, for the diag methods beside the TCP observer
 * (udp-diag.ts, unix-diag.ts). The TCP observer (observer.ts) has its own copy of this loop, tuned
 * with request strategies; these two need only the plain form.
 *
 * A dump is generated synchronously by the kernel: the first part during send(), each next part
 * when the previous one is read. So data is always queued and MSG_DONTWAIT never has to wait.
 */
import { C, SyscallError, loadLibc, type Libc } from './libc.js';

export const NLMSG_HDRLEN = 16;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
export const SOCK_DIAG_BY_FAMILY = 20;
const MSG_TRUNC = 0x20;

export function requireLibc(): Libc {
  const s = loadLibc();
  if (!s.ok) throw new Error(`unavailable: ${s.reason}`);
  return s.libc;
}

/** A request buffer of `bodyLen` bytes after the netlink header, type SOCK_DIAG_BY_FAMILY, dump. */
export function diagRequest(bodyLen: number): Buffer {
  const b = Buffer.alloc(NLMSG_HDRLEN + bodyLen);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  return b;
}

/** Calls `each(buffer, start, end)` for the payload of every SOCK_DIAG_BY_FAMILY reply message. */
export type DiagMessageHandler = (b: Buffer, start: number, end: number) => void;

/** An open NETLINK_SOCK_DIAG socket that runs dumps. */
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

  /** Sends `req` and reads the whole dump. On any failure the socket is reopened, so the next dump starts clean. */
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
    for (let rounds = 0; rounds < 10_000; rounds++) {
      const n = this.libc.recv(this.fd, this.rx, this.rx.length, C.MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) throw new SyscallError('recv(sock_diag)', this.libc.errno());
      if (n > this.rx.length) {
        this.rx = Buffer.alloc(n * 2);
        throw new Error(`sock_diag: reply of ${n} bytes truncated; buffer grown for the next sample`);
      }
      const b = this.rx;
      let off = 0;
      while (off + NLMSG_HDRLEN <= n) {
        const len = b.readUInt32LE(off);
        const type = b.readUInt16LE(off + 4);
        if (len < NLMSG_HDRLEN || off + len > n) throw new Error(`sock_diag: malformed message (len ${len})`);
        if (b.readUInt32LE(off + 8) === seq) {
          if (type === NLMSG_DONE) return;
          if (type === NLMSG_ERROR) {
            const err = -b.readInt32LE(off + NLMSG_HDRLEN);
            if (err !== 0) throw new SyscallError('sock_diag', err);
          } else if (type === SOCK_DIAG_BY_FAMILY) each(b, off + NLMSG_HDRLEN, off + len);
        }
        off += (len + 3) & ~3;
      }
    }
    throw new Error('sock_diag: dump did not end');
  }
}
